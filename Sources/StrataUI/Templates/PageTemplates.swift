/// The templates of the overview, registry and feature pages.
enum PageTemplates {
    static let overview = """
    <h1>{{project}}</h1>
    <p class="muted">Registry revision {{revision}}{{#lastApply}} · last apply {{at}} by {{author}}{{#message}}: “{{message}}”{{/message}}{{/lastApply}}</p>
    <div class="counts" id="counts">{{#counts}}<a class="card" href="{{href}}"><b>{{value}}</b>{{label}}</a>{{/counts}}</div>
    <h2>Latest ingest runs</h2>
    <table id="ingest-runs"><tr><th>Run</th><th>Source</th><th>Finished</th><th class="num">Read</th><th class="num">Accepted</th><th class="num">Quarantined</th><th>Outcome</th></tr>
    {{#runs}}<tr><td>{{runID}}</td><td><a href="{{sourceHref}}">{{source}}</a> v{{sourceVersion}}</td><td>{{finished}}</td><td class="num">{{read}}</td><td class="num">{{accepted}}</td><td class="num">{{#hasQuarantine}}<a href="{{quarantineHref}}">{{quarantined}}</a>{{/hasQuarantine}}{{^hasQuarantine}}0{{/hasQuarantine}}</td><td><span class="{{verdictClass}}">{{outcome}}</span></td></tr>{{/runs}}
    {{^runs}}<tr><td colspan="7" class="muted">No ingest run yet: run <code>strata ingest</code>.</td></tr>{{/runs}}</table>
    <h2>Online freshness</h2>
    <table id="freshness"><tr><th>Feature view</th><th>Version</th><th>Materialized up to</th><th>Newest event time online</th><th class="num">Keys</th></tr>
    {{#freshness}}<tr><td><a href="{{href}}">{{view}}</a></td><td>v{{version}}</td><td>{{watermark}}</td><td>{{newest}}</td><td class="num">{{keys}}</td></tr>{{/freshness}}</table>
    {{{freshnessPager}}}
    <p class="muted">Newest event time and keys are counted once per materialization of the view: rows pushed since then show after its next run.</p>
    <h2>Last parity check</h2>
    {{#check}}<p id="last-check"><a href="{{href}}">{{id}}</a> ({{mode}}, {{at}}): <span class="{{verdictClass}}">{{verdict}}</span>, {{rows}} rows replayed, worst mismatch rate {{worst}}.</p>{{/check}}
    {{^check}}<p class="muted" id="last-check">No check yet: run <code>strata check --logs</code>.</p>{{/check}}
    <h2>Latest validation</h2>
    <table id="latest-validation"><tr><th>Source</th><th>Run</th><th>Started</th><th>Verdict</th><th>Not passing</th></tr>
    {{#validation}}<tr><td><a href="{{sourceHref}}">{{source}}</a></td><td>{{runID}}</td><td>{{started}}</td><td><span class="{{verdictClass}}">{{verdict}}</span></td><td>{{failing}}</td></tr>{{/validation}}
    {{^validation}}<tr><td colspan="5" class="muted">No validation record yet.</td></tr>{{/validation}}</table>
    <h2>Drift</h2>
    <table id="drift"><tr><th>Service</th><th>Report</th><th>Created</th><th>Verdict</th></tr>
    {{#drift}}<tr><td><a href="{{serviceHref}}">{{service}}</a></td><td><a href="{{href}}">#{{id}}</a></td><td>{{created}}</td><td><span class="{{verdictClass}}">{{verdict}}</span> {{detail}}</td></tr>{{/drift}}
    {{^drift}}<tr><td colspan="4" class="muted">No drift report yet: run <code>strata drift</code>.</td></tr>{{/drift}}</table>
    """

    static let registry = """
    <h1>Registry</h1>
    <form class="inline" method="get" action="/ui/registry"><label>Search<input name="q" value="{{query}}" id="registry-q"></label>
    <label>Kind<select name="kind">{{#kinds}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/kinds}}</select></label><button type="submit">Search</button></form>
    <p class="muted" id="result-count">{{summary}}</p>
    <table id="objects"><tr><th>Name</th><th>Kind</th><th>Version</th><th>Owner</th><th>Tags</th><th>Description</th></tr>
    {{#objects}}<tr><td><a href="{{href}}">{{name}}</a>{{#match}}<br><span class="muted">{{match}}</span>{{/match}}</td><td>{{kind}}</td><td>v{{version}}</td><td>{{owner}}</td><td>{{#tags}}<span class="tag">{{.}}</span>{{/tags}}</td><td>{{description}}</td></tr>{{/objects}}</table>
    {{{pager}}}
    """

    static let object = """
    <h1>{{kindLabel}} <code>{{name}}</code> <span class="pill">v{{version}}</span>{{#removed}} <span class="bad">removed</span>{{/removed}}</h1>
    <p>{{description}}</p><p>Owner: {{#owner}}{{owner}}{{/owner}}{{^owner}}<span class="muted">none</span>{{/owner}} · Tags: {{#tags}}<span class="tag">{{.}}</span>{{/tags}}</p>
    {{#hasFeatures}}<h2>Features</h2><table id="features"><tr><th>Feature</th><th>Type</th><th>Expression or aggregation</th><th>Description</th></tr>
    {{#features}}<tr><td><a href="{{href}}">{{name}}</a></td><td>{{type}}</td><td><code>{{expression}}</code></td><td>{{description}}</td></tr>{{/features}}</table>{{/hasFeatures}}
    <h2>Definition</h2><pre id="definition">{{definition}}</pre>
    <h2>Used by</h2><ul id="used-by">{{#usedBy}}<li>{{kind}} <a href="{{href}}">{{name}}</a>{{#detail}} <span class="muted">{{detail}}</span>{{/detail}}</li>{{/usedBy}}{{^usedBy}}<li class="muted">Nothing uses it.</li>{{/usedBy}}</ul>
    <h2>History</h2>
    <form class="inline" method="get" action="{{diffAction}}"><label>Compare<select name="from">{{#versionOptions}}<option value="{{v}}"{{#isFrom}} selected{{/isFrom}}>v{{v}}</option>{{/versionOptions}}</select></label>
    <label>with<select name="to">{{#versionOptions}}<option value="{{v}}"{{#isTo}} selected{{/isTo}}>v{{v}}</option>{{/versionOptions}}</select></label><button type="submit" id="compare">Compare</button></form>
    <table id="history"><tr><th>Version</th><th>Revision</th><th>When</th><th>Who</th><th>Message</th><th></th></tr>
    {{#history}}<tr><td><a href="{{href}}">v{{version}}</a></td><td>{{revision}}</td><td>{{at}}</td><td>{{author}}</td><td>{{message}}{{#breaking}} <span class="bad">breaking</span>{{/breaking}}{{#removed}} <span class="bad">removed</span>{{/removed}}</td><td>{{#diffHref}}<a href="{{diffHref}}">diff with previous</a>{{/diffHref}}</td></tr>{{/history}}</table>
    """

    static let diff = """
    <h1>{{kindLabel}} <a href="{{objectHref}}"><code>{{name}}</code></a>: v{{from}} → v{{to}}</h1>
    {{#hasBreaking}}<div class="card" id="breaking"><b class="bad">Breaking changes</b><ul>{{#breaking}}<li>{{.}}</li>{{/breaking}}</ul></div>{{/hasBreaking}}
    {{^hasBreaking}}<p class="good" id="breaking">No breaking change between these versions.</p>{{/hasBreaking}}
    <p class="muted">{{changeCount}} field(s) differ. Changed rows are highlighted; rows of a breaking field are red.</p>
    <table class="diff" id="diff"><tr><th>Field</th><th>v{{from}} ({{fromAt}}, {{fromAuthor}})</th><th>v{{to}} ({{toAt}}, {{toAuthor}})</th></tr>
    {{#rows}}<tr class="{{rowClass}}"><td><code>{{path}}</code></td><td class="old">{{old}}</td><td class="new">{{new}}</td></tr>{{/rows}}</table>
    """

    static let feature = """
    <h1>Feature <code>{{view}}:{{name}}</code></h1>
    <table id="feature-facts"><tr><th>Type</th><td>{{type}}</td></tr><tr><th>{{kindLabel}}</th><td><code>{{expression}}</code></td></tr>
    <tr><th>Feature view</th><td><a href="{{viewHref}}">{{view}}</a> v{{viewVersion}}</td></tr><tr><th>Owner</th><td>{{owner}}</td></tr>
    <tr><th>Tags</th><td>{{#tags}}<span class="tag">{{.}}</span>{{/tags}}</td></tr><tr><th>Description</th><td>{{description}}</td></tr>
    <tr><th>Freshness</th><td>{{freshness}}</td></tr><tr><th>Services</th><td>{{#services}}<a href="{{href}}">{{name}}</a> {{/services}}</td></tr></table>
    <h2>Online values</h2>{{#histogram}}<p class="muted">One value per key in the online store, as of the last materialization.</p><div class="card" id="online-histogram">{{{histogram}}}</div>{{/histogram}}
    {{^histogram}}<p class="muted" id="online-histogram">Not in the online store yet (materialize the view).</p>{{/histogram}}
    <h2>Profile</h2>{{#profile}}<p class="muted">Profile of ingest run {{runID}} ({{started}}): {{count}} values, {{nulls}} nulls.</p><div class="card" id="profile">{{{svg}}}</div>{{/profile}}
    {{^profile}}<p class="muted" id="profile">No recent ingest run profiled this feature.</p>{{/profile}}
    <h2>Drift</h2>{{#drift}}<p id="drift-status">Report <a href="{{href}}">#{{id}}</a> ({{service}}, {{created}}): <span class="{{verdictClass}}">{{verdict}}</span>, {{method}} {{score}}.</p>{{/drift}}
    {{^drift}}<p class="muted" id="drift-status">No drift report compared this feature.</p>{{/drift}}
    <h2>Parity</h2>{{#parity}}<p id="feature-parity">Last check <a href="{{href}}">{{id}}</a>: mismatch rate {{rate}} over {{compared}} compared rows.</p>{{/parity}}{{^parity}}<p class="muted" id="feature-parity">No check compared this feature.</p>{{/parity}}
    """
}
