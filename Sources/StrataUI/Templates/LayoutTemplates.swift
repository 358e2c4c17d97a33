/// The page frame and the login page. `{{x}}` escapes HTML; `{{{x}}}` is used only for markup the UI built itself
/// (a rendered page body, or SVG whose text was escaped by `HTML.escape`).
enum LayoutTemplates {
    static let layout = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} · Strata</title><link rel="stylesheet" href="/ui/static/app.css"><link rel="icon" href="data:,"></head>
    <body><header><a class="brand" href="/ui">Strata</a><nav>
    {{#nav}}<a href="{{href}}"{{#active}} class="active"{{/active}}>{{label}}</a>{{/nav}}
    </nav><form action="/ui/registry" method="get" role="search"><input id="q" name="q" type="search" placeholder="Search features, views, owners, tags" autocomplete="off" value="{{query}}"><ul id="suggest"></ul></form>
    {{#signedIn}}<a href="/ui/logout">Sign out</a>{{/signedIn}}</header>
    <main id="page-{{page}}">{{{body}}}</main><script src="/ui/static/app.js"></script></body></html>
    """

    static let login = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>Sign in · Strata</title><link rel="stylesheet" href="/ui/static/app.css"><link rel="icon" href="data:,"></head>
    <body><main class="login" id="page-login"><h1>Strata</h1>
    {{#error}}<p class="error" id="login-error">{{error}}</p>{{/error}}
    <form class="card" method="post" action="/ui/login"><p>This server needs its token (the file given to <code>strata serve --token-file</code>).</p>
    <label>Token <input id="token" name="token" type="password" autocomplete="current-password" required></label>
    <input type="hidden" name="next" value="{{next}}"> <button id="sign-in" type="submit">Sign in</button></form></main></body></html>
    """

    static let error = """
    <h1>{{heading}}</h1><div class="error" id="ui-error"><p>{{message}}</p>{{#fix}}<p>Fix: {{fix}}</p>{{/fix}}</div>
    <p><a href="/ui">Back to the overview</a></p>
    """
}
