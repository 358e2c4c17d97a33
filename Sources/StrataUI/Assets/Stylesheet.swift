/// The UI's one stylesheet, served from `/ui/static/app.css` (never inline: the CSP forbids inline styles).
/// System fonts only, so nothing is fetched from outside.
enum Stylesheet {
    static let css = """
    :root{--fg:#1d2330;--muted:#5d6677;--line:#d9dee7;--bg:#f6f7f9;--card:#fff;--accent:#2458c6;--bad:#b42318;--good:#1a7f37;--warn:#9a6700}
    *{box-sizing:border-box}
    body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
    header{display:flex;align-items:center;gap:18px;padding:8px 20px;background:#16213a;color:#fff;flex-wrap:wrap}
    header a{color:#dfe6f5;text-decoration:none}header a:hover,header a.active{color:#fff;text-decoration:underline}
    header .brand{font-weight:700;font-size:16px;color:#fff;margin-right:8px}
    header nav{display:flex;gap:14px;flex-wrap:wrap}
    header form{margin-left:auto;position:relative}
    header input{padding:5px 8px;border-radius:4px;border:0;width:240px}
    #suggest{position:absolute;right:0;top:32px;background:#fff;color:var(--fg);border:1px solid var(--line);width:360px;list-style:none;margin:0;padding:0;z-index:5}
    #suggest li a{display:block;padding:4px 8px;color:var(--fg)}#suggest li a:hover{background:var(--bg)}
    #suggest:empty{display:none}
    main{padding:16px 20px;max-width:1280px}
    h1{font-size:21px;margin:4px 0 12px}h2{font-size:16px;margin:20px 0 8px}
    .card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin-bottom:14px}
    .counts{display:flex;gap:12px;flex-wrap:wrap}.counts .card{min-width:130px;text-align:center}
    .counts b{display:block;font-size:22px}.counts a.card{text-decoration:none;color:inherit}
    table{border-collapse:collapse;width:100%;background:var(--card)}
    th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
    th{background:#eef1f6;font-weight:600}
    td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
    code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
    pre{background:#f1f3f7;border:1px solid var(--line);padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-all}
    a{color:var(--accent)}
    .muted{color:var(--muted)}.bad{color:var(--bad);font-weight:600}.good{color:var(--good);font-weight:600}.warn{color:var(--warn);font-weight:600}
    .tag{display:inline-block;background:#e8eefc;color:#1f3f8a;border-radius:10px;padding:0 8px;margin:0 4px 2px 0;font-size:12px}
    .pill{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;border:1px solid var(--line)}
    tr.changed td{background:#fff8e1}tr.breaking td{background:#fde8e6}
    .diff tr.changed td.old,.diff tr.breaking td.old{color:#8a1c12}.diff tr.changed td.new,.diff tr.breaking td.new{color:#175e2a}
    .diff tr.same td{color:var(--muted)}
    svg.lineage,svg.bars,.card svg{max-width:100%;height:auto}details summary{cursor:pointer}table.expectations{margin:4px 0}
    .pager{margin:10px 0;display:flex;gap:10px;align-items:center}
    form.inline{display:flex;gap:8px;align-items:end;flex-wrap:wrap;margin-bottom:12px}
    form.inline label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
    input,select,button{font:inherit;padding:4px 6px}
    button{background:var(--accent);color:#fff;border:0;border-radius:4px;padding:5px 12px;cursor:pointer}
    .grid2{display:grid;grid-template-columns:1fr 1fr;gap:14px}
    svg text{font:12px system-ui,sans-serif;fill:#1d2330}
    svg .node rect{fill:#fff;stroke:#7a8599}svg .node.ts rect{fill:#e8eefc;stroke:#2458c6}svg .node.run rect{fill:#f1f3f7}
    svg .node.svc rect{fill:#eaf6ee;stroke:#1a7f37}svg .edge{stroke:#8c96a8;fill:none;stroke-width:1.3}
    svg .bar{fill:#2458c6}svg .bar.bad{fill:#b42318}svg .axis{stroke:#8c96a8}
    .login{max-width:360px;margin:60px auto}
    .error{background:#fde8e6;border:1px solid #f0b7b1;padding:8px 12px;border-radius:6px}
    """
}
