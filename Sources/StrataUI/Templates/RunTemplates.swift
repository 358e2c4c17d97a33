/// The templates of the training-set, data-quality, parity and lookup pages.
enum RunTemplates {
    static let trainingSets = """
    <h1>Training sets</h1><p class="muted">{{summary}}</p>
    <table id="training-sets"><tr><th>Id</th><th>Created</th><th class="num">Rows</th><th>Features</th><th>Mode</th><th>Output</th></tr>
    {{#sets}}<tr><td><a href="{{href}}">{{id}}</a>{{#reproducedFrom}}<br><span class="muted">reproduces {{reproducedFrom}}</span>{{/reproducedFrom}}</td><td>{{created}}</td><td class="num">{{rows}}</td><td>{{features}}</td><td>{{mode}}</td><td><code>{{output}}</code></td></tr>{{/sets}}
    {{^sets}}<tr><td colspan="6" class="muted">No training set yet: run <code>strata historical</code>.</td></tr>{{/sets}}</table>
    {{{pager}}}
    """

    static let trainingSet = """
    <h1>Training set <code>{{id}}</code></h1>
    <p>{{rows}} rows · created {{created}}{{#finished}} · finished {{finished}}{{/finished}} · corrections <b>{{mode}}</b>{{#strict}} · strict{{/strict}}</p>
    <h2>Reproduce it</h2><pre id="reproduce">{{reproduce}}</pre>
    <h2>Lineage</h2><div class="card" id="lineage-graph">{{{graph}}}</div>
    <h2>Views</h2><table id="views"><tr><th>View</th><th>Source</th><th>Features</th><th>Ingest runs</th><th>Statuses</th></tr>
    {{#views}}<tr><td><a href="{{href}}">{{name}}</a> v{{version}}</td><td><a href="{{sourceHref}}">{{source}}</a> v{{sourceVersion}}</td><td>{{features}}</td><td>{{runs}}</td><td>{{statuses}}</td></tr>{{/views}}</table>
    <h2>Manifest</h2><pre id="manifest">{{manifest}}</pre>
    """

    static let quality = """
    <h1>Data quality</h1>
    <h2>Ingest runs</h2>
    <table id="quality-runs"><tr><th>Run</th><th>Source</th><th>Started</th><th class="num">Read</th><th class="num">Accepted</th><th class="num">Quarantined</th><th>Outcome</th></tr>
    {{#runs}}<tr><td>{{runID}}</td><td>{{source}} v{{sourceVersion}}</td><td>{{started}}</td><td class="num">{{read}}</td><td class="num">{{accepted}}</td><td class="num">{{quarantined}}</td><td><span class="{{verdictClass}}">{{outcome}}</span></td></tr>{{/runs}}
    {{#failed}}<tr><td>{{runID}}</td><td>{{source}} v{{sourceVersion}}</td><td>{{started}}</td><td colspan="3" class="bad">{{error}}</td><td><span class="bad">failed</span></td></tr>{{/failed}}
    {{^anyRun}}<tr><td colspan="7" class="muted">No ingest run yet.</td></tr>{{/anyRun}}</table>
    {{{runsPager}}}
    <h2>Quarantine</h2>
    <form class="inline" method="get" action="/ui/quality"><label>Source<select name="source"><option value="">all</option>{{#sources}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/sources}}</select></label>
    <label>Reason contains<input name="reason" value="{{reason}}" id="reason-filter"></label><button type="submit">Filter</button></form>
    <table id="reasons"><tr><th>Reason</th><th class="num">Rows</th></tr>{{#reasons}}<tr><td><a href="{{href}}">{{reason}}</a></td><td class="num">{{count}}</td></tr>{{/reasons}}
    {{^reasons}}<tr><td colspan="2" class="muted">Nothing quarantined.</td></tr>{{/reasons}}</table>
    <p class="muted" id="quarantine-count">{{quarantineSummary}}</p>
    <table id="quarantine"><tr><th>Run</th><th>Source</th><th>Where</th><th>Reason</th><th>Raw row</th></tr>
    {{#quarantine}}<tr><td>{{runID}}</td><td>{{source}}</td><td><code>{{where}}</code></td><td>{{reason}}</td><td><code>{{raw}}</code></td></tr>{{/quarantine}}</table>
    {{{quarantinePager}}}
    {{{validation}}}
    {{{drift}}}
    """

    static let parityList = """
    <h1>Parity</h1><p class="muted">Training/serving parity reports from <code>strata check</code>, newest first.</p>
    <table id="reports"><tr><th>Report</th><th>Created</th><th>Mode</th><th class="num">Rows replayed</th><th>Worst feature</th><th>Verdict</th></tr>
    {{#reports}}<tr><td><a href="{{href}}">{{id}}</a></td><td>{{created}}</td><td>{{mode}}</td><td class="num">{{rows}}</td><td>{{worst}}</td><td><span class="{{verdictClass}}">{{verdict}}</span></td></tr>{{/reports}}
    {{^reports}}<tr><td colspan="6" class="muted">No check yet: run <code>strata check --logs</code>.</td></tr>{{/reports}}</table>
    """

    static let parityReport = """
    <h1>Parity report <code>{{id}}</code></h1>
    <p>{{mode}} · created {{created}} · {{rows}} rows replayed · threshold {{threshold}} · <span class="{{verdictClass}}">{{verdict}}</span></p>
    <div class="card">{{{chart}}}</div>
    <table id="parity-features"><tr><th>Feature</th><th class="num">Compared</th><th class="num">Mismatches</th><th class="num">Rate</th><th class="num">Missing online</th><th class="num">Missing offline</th><th>Reasons</th></tr>
    {{#features}}<tr><td><a href="{{href}}">{{feature}}</a></td><td class="num">{{compared}}</td><td class="num">{{mismatches}}</td><td class="num"><span class="{{rateClass}}">{{rate}}</span></td><td class="num">{{missingOnline}}</td><td class="num">{{missingOffline}}</td><td>{{reasons}}</td></tr>{{/features}}</table>
    <h2>Example mismatches</h2>
    <table id="examples"><tr><th>Feature</th><th>Keys</th><th>Request time</th><th>Online</th><th>Offline</th><th>Reason</th><th>Lineage</th></tr>
    {{#examples}}<tr><td>{{feature}}</td><td><code>{{keys}}</code></td><td>{{time}}</td><td>{{online}} <span class="muted">{{onlineStatus}}</span></td><td>{{offline}} <span class="muted">{{offlineStatus}}</span></td><td><span class="pill">{{reason}}</span></td><td><a href="{{traceHref}}">trace</a> <span class="muted">{{lineage}}</span></td></tr>{{/examples}}
    {{^examples}}<tr><td colspan="7" class="muted">No mismatch.</td></tr>{{/examples}}</table>
    """

    static let exampleLineage = """
    <h1>Where <code>{{feature}}</code> for <code>{{keys}}</code> at {{time}} comes from</h1>
    <p>Report <a href="{{reportHref}}">{{reportID}}</a>: online served <b>{{online}}</b> ({{onlineStatus}}), offline gives <b>{{offline}}</b> ({{offlineStatus}}); reason <span class="pill">{{reason}}</span>.</p>
    <table id="value-lineage"><tr><th>Feature view</th><td><a href="{{viewHref}}">{{view}}</a> v{{viewVersion}}</td></tr>
    <tr><th>Offline status (known mode)</th><td>{{status}}</td></tr><tr><th>Winning row</th><td>event {{eventTime}} · created {{createdTime}} · row {{lineageID}}</td></tr>
    {{#source}}<tr><th>Source line</th><td><code>{{file}}:{{line}}</code> (source {{name}} v{{version}}, ingest run {{runID}} at {{runStarted}}, file sha256 {{sha}})</td></tr>{{/source}}
    <tr><th>Online now</th><td>row {{onlineLineageID}} · event {{onlineEventTime}}</td></tr></table>
    <h2>Values of the winning row</h2><table id="lineage-values"><tr><th>Feature</th><th>Value</th><th>Expression</th></tr>
    {{#values}}<tr><td>{{name}}</td><td><code>{{value}}</code></td><td><code>{{expression}}</code></td></tr>{{/values}}</table>
    <h2>Source row</h2><table id="source-values"><tr><th>Column</th><th>Value</th></tr>{{#sourceValues}}<tr><td>{{name}}</td><td><code>{{value}}</code></td></tr>{{/sourceValues}}</table>
    """

    static let lookup = """
    <h1>Lookup</h1><p class="muted">Reads the online store as <code>POST /v1/features</code> does, at the current time.</p>
    <form class="inline" method="get" action="/ui/lookup" id="lookup-form"><label>Feature service<select name="service" id="service">{{#services}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/services}}</select></label>
    {{#keys}}<label>{{name}} ({{type}})<input name="key.{{name}}" value="{{value}}" class="key-input"></label>{{/keys}}<button type="submit" id="look-up">Look up</button></form>
    {{#error}}<p class="error" id="lookup-error">{{error}}</p>{{/error}}
    {{#hasResult}}<table id="lookup-result"><tr><th>Feature</th><th>Value</th><th>Status</th><th>Event time</th></tr>
    {{#result}}<tr><td>{{feature}}</td><td><code>{{value}}</code></td><td><span class="{{statusClass}}">{{status}}</span></td><td>{{eventTime}}</td></tr>{{/result}}</table>{{/hasResult}}
    """
}
