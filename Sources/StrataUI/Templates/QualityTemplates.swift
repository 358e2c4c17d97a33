/// The templates of the data-quality records: expectation results per run and drift reports.
enum QualityTemplates {
    /// Validation records of ingest and push runs, each with its expectations in a disclosure (no script needed).
    static let validation = """
    <h2>Expectation results</h2>
    <table id="expectation-runs"><tr><th>Run</th><th>Source</th><th>File</th><th>Started</th><th class="num">Read</th><th class="num">Accepted</th><th class="num">Quarantined</th><th>Verdict</th></tr>
    {{#validation}}<tr class="validation-run"><td>{{runID}}</td><td><a href="{{sourceHref}}">{{source}}</a> v{{sourceVersion}}</td><td><code>{{file}}</code></td><td>{{started}}</td><td class="num">{{read}}</td><td class="num">{{accepted}}</td><td class="num">{{quarantined}}</td><td><span class="{{verdictClass}}">{{verdict}}</span></td></tr>
    <tr><td></td><td colspan="7"><details{{#open}} open{{/open}}><summary>{{expectationSummary}}</summary>
    <table class="expectations"><tr><th>Expectation</th><th>Observed</th><th>Threshold</th><th>Verdict</th></tr>
    {{#results}}<tr><td><code>{{expectation}}</code></td><td>{{observed}}</td><td>{{threshold}}</td><td><span class="{{verdictClass}}">{{verdict}}</span></td></tr>{{/results}}
    {{^results}}<tr><td colspan="4" class="muted">The source declares no expectation.</td></tr>{{/results}}</table></details></td></tr>{{/validation}}
    {{^validation}}<tr><td colspan="8" class="muted" id="expectations">No validation record yet: <code>strata ingest</code> and <code>push</code> record one per run.</td></tr>{{/validation}}</table>
    """

    static let driftList = """
    <h2>Drift reports</h2>
    <table id="drift-reports"><tr><th>Report</th><th>Service</th><th>Created</th><th>Reference</th><th>Current</th><th>Origin</th><th>Verdict</th></tr>
    {{#drift}}<tr><td><a href="{{href}}">#{{id}}</a></td><td><a href="{{serviceHref}}">{{service}}</a></td><td>{{created}}</td><td><code>{{reference}}</code></td><td><code>{{current}}</code></td><td>{{origin}}</td><td><span class="{{verdictClass}}">{{verdict}}</span> {{detail}}</td></tr>{{/drift}}
    {{^drift}}<tr><td colspan="7" class="muted">No drift report yet: run <code>strata drift</code> or set a service's <code>monitoring:</code> schedule.</td></tr>{{/drift}}</table>
    """

    static let driftReport = """
    <h1>Drift report #{{id}}</h1>
    <table id="drift-facts"><tr><th>Service</th><td><a href="{{serviceHref}}">{{service}}</a></td></tr><tr><th>Created</th><td>{{created}} ({{origin}})</td></tr>
    <tr><th>Reference</th><td><code>{{reference}}</code></td></tr><tr><th>Current</th><td><code>{{current}}</code></td></tr>
    <tr><th>Verdict</th><td><span class="{{verdictClass}}" id="drift-verdict">{{verdict}}</span> {{detail}}</td></tr></table>
    <h2>Features</h2>
    <table id="drift-features"><tr><th>Feature</th><th>Method</th><th>Score</th><th>Threshold</th><th>Verdict</th><th class="num">Reference values</th><th class="num">Current values</th><th>Note</th></tr>
    {{#features}}<tr><td><a href="#{{anchor}}">{{feature}}</a></td><td>{{method}}</td><td>{{score}}</td><td>{{threshold}}</td><td><span class="{{verdictClass}}">{{verdict}}</span></td><td class="num">{{referenceCount}}</td><td class="num">{{currentCount}}</td><td>{{reason}}</td></tr>{{/features}}</table>
    <h2>Reference vs current</h2>
    {{#features}}<div class="card drift-chart" id="{{anchor}}"><h3><a href="{{featureHref}}">{{feature}}</a></h3>{{#chart}}{{{chart}}}{{/chart}}{{^chart}}<p class="muted">No chart: {{reason}}</p>{{/chart}}</div>{{/features}}
    """
}
