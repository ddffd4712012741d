/**
 * The console's one stylesheet and one script, served from /console/assets/ (no inline code, so the page CSP
 * stays strict). The script only enhances pages that work without it: live progress over server-sent events,
 * select-all, and confirmation prompts on buttons that carry `data-confirm`.
 */
export const CONSOLE_CSS = `
:root{--fg:#1b1b1b;--muted:#4a4a4a;--line:#c4c7c5;--bg:#fff;--soft:#f4f6f8;--blue:#0b57d0;--blue-dark:#0842a0;--red:#a4161a;--green:#0a6b2e;--amber:#7a4a00;--focus:#b35c00}
*{box-sizing:border-box}
html{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
body{margin:0}
a{color:var(--blue)}a:hover{color:var(--blue-dark)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
main:focus{outline:none}
.skip{position:absolute;left:-9999px;top:0;background:var(--fg);color:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem;top:.5rem;color:#fff}
.top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.6rem 1.25rem;border-bottom:1px solid var(--line);background:var(--soft)}
.brand a{font-weight:700;text-decoration:none;color:var(--fg);font-size:1.1rem}.brand span{font-weight:400;color:var(--muted)}
.who{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:center;font-size:.95rem}.who form{margin:0}
.sub-head{padding:.75rem 1.25rem 0;border-bottom:1px solid var(--line)}
.sub-name{margin:0 0 .5rem;font-weight:600}.sub-id{font-weight:400;color:var(--muted);font-family:ui-monospace,monospace;font-size:.9rem}
.tabs ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem}
.tabs a{display:block;padding:.5rem .8rem;text-decoration:none;border:1px solid transparent;border-bottom:0;border-radius:6px 6px 0 0;color:var(--blue)}
.tabs a[aria-current=page]{border-color:var(--line);background:var(--bg);color:var(--fg);font-weight:600;margin-bottom:-1px;border-bottom:1px solid var(--bg)}
main{max-width:75rem;margin:0 auto;padding:1rem 1.25rem 2rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.25rem;margin:1.75rem 0 .5rem}h3{font-size:1.05rem;margin:1.25rem 0 .4rem}
.foot{border-top:1px solid var(--line);color:var(--muted);font-size:.9rem;padding:.5rem 1.25rem}
.flash{padding:.75rem 1rem;border-left:5px solid;margin:0 0 1rem;border-radius:4px}
.flash.notice{background:#e6f4ea;border-color:var(--green)}.flash.error{background:#fde7e9;border-color:var(--red)}
.card-row{display:grid;grid-template-columns:repeat(auto-fit,minmax(11rem,1fr));gap:.75rem;margin:.5rem 0 1rem}
.card{border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;background:var(--bg)}
.card b{display:block;font-size:1.5rem}.card span{color:var(--muted)}
section.panel{border:1px solid var(--line);border-radius:8px;padding:.25rem 1.25rem 1rem;margin:1rem 0}
section.panel>h2{margin-top:.75rem}
.meter{margin:.5rem 0 1rem}.meter label{display:block;font-weight:600}
progress{width:100%;max-width:40rem;height:1.25rem;accent-color:var(--blue)}
.meter-text{margin:.2rem 0;color:var(--muted)}
button,.button{display:inline-block;font:inherit;padding:.5rem 1rem;border-radius:6px;border:2px solid var(--blue);background:var(--blue);color:#fff;cursor:pointer;text-decoration:none;line-height:1.3}
button:hover,.button:hover{background:var(--blue-dark);border-color:var(--blue-dark);color:#fff}
button.secondary,.button.secondary{background:#fff;color:var(--blue)}button.secondary:hover,.button.secondary:hover{background:#e8f0fe;color:var(--blue-dark)}
button.danger{background:var(--red);border-color:var(--red)}
button.link{background:none;border:0;color:var(--blue);padding:0;text-decoration:underline}
button[disabled]{background:#e3e3e3;border-color:#c4c7c5;color:#4a4a4a;cursor:not-allowed}
fieldset{min-width:0;border:0;padding:0;margin:0}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin:.75rem 0}
label{font-weight:600}
input[type=text],input[type=search],input[type=date],select{font:inherit;padding:.45rem .5rem;border:1px solid #6f6f6f;border-radius:4px;max-width:100%}
.field{display:flex;flex-direction:column;gap:.2rem;margin:.5rem 0}
.hint{color:var(--muted);font-size:.92rem;font-weight:400}
.field-error{color:#a4161a;font-weight:600}
input[aria-invalid=true]{border:2px solid #a4161a}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:.5rem 0 1rem;padding:.75rem;background:var(--soft);border-radius:8px}
.filters .field{margin:0}
.table-wrap{position:relative;overflow-x:auto;border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;padding:.5rem .75rem;font-weight:600}
th,td{padding:.45rem .6rem;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}
thead th{background:var(--soft);white-space:nowrap}
th a{color:var(--fg)}
td code,.code{font-family:ui-monospace,monospace;font-size:.9em}
.tag{display:inline-block;font-size:.8rem;padding:0 .35rem;border-radius:4px;background:#1b4f91;color:#fff;vertical-align:middle}
.st{font-weight:600}.st-migrated,.st-activated{color:var(--green)}.st-eligible{color:var(--blue-dark)}.st-failed,.st-blocked{color:var(--red)}.st-needs_email_verification,.st-migrating{color:var(--amber)}.st-skipped,.st-not_migrated,.st-stays_local{color:var(--muted)}
.reason{margin:.15rem 0}.reason small{display:block;color:var(--muted)}
.loss{background:#fde7e9}.loss td:first-child{border-left:4px solid var(--red)}
.pager{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:.75rem 0}
.empty{border:2px dashed var(--line);border-radius:8px;padding:1rem 1.25rem;color:var(--muted);margin:.5rem 0}
.empty-title{font-weight:600;color:var(--fg);margin:0 0 .25rem}
.steps{padding-left:1.25rem}.steps li{margin:.25rem 0}.steps .done{color:var(--green)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:.5rem 0}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.ok{color:var(--green)}.bad{color:var(--red)}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:40rem){table.users-table thead tr{display:flex;flex-wrap:wrap;gap:.25rem .75rem}table.users-table thead th{border:0;padding:.15rem .5rem}table.users-table,table.users-table tbody,table.users-table tr,table.users-table td{display:block;width:auto}table.users-table tr{border-bottom:1px solid #d0d0d0;padding:.4rem 0}table.users-table td{border:0;padding:.15rem .5rem}table.users-table td[data-label]::before{content:attr(data-label) ": ";font-weight:600}table.users-table td:empty{display:none}}
@media (max-width:40rem){main{padding:.75rem}.top,.sub-head{padding-left:.75rem;padding-right:.75rem}h1{font-size:1.35rem}dl.facts{grid-template-columns:1fr}.tabs a{padding:.4rem .55rem}}
`;

export const CONSOLE_JS = `(() => {
  'use strict';
  const main = document.getElementById('main');
  const flash = document.querySelector('.flash.error');
  if (flash) flash.focus();
  document.addEventListener('click', (e) => {
    const b = e.target instanceof Element ? e.target.closest('[data-confirm]') : null;
    if (!b) return;
    // A prompt about the selected users counts them; with none selected the server answers "Select at least one user first".
    const many = b.getAttribute('data-confirm-selected');
    let question = b.getAttribute('data-confirm');
    if (many && b.form) {
      const n = b.form.querySelectorAll('input[name="user"]:checked').length;
      if (n === 0) return;
      question = n === 1 ? b.getAttribute('data-confirm-one') || question : many.replace('{n}', String(n));
    }
    if (!window.confirm(question)) e.preventDefault();
  });
  for (const all of document.querySelectorAll('input[data-select-all]')) {
    all.hidden = false;
    all.closest('label')?.removeAttribute('hidden');
    all.addEventListener('change', () => {
      for (const box of document.querySelectorAll('input[name="user"]')) if (!box.disabled) box.checked = all.checked;
    });
  }
  const url = main && main.dataset.events;
  if (!url || !window.EventSource) return;
  const source = new EventSource(url);
  source.addEventListener('status', (ev) => {
    const view = JSON.parse(ev.data).view || {};
    for (const [key, value] of Object.entries(view.text || {})) {
      for (const el of document.querySelectorAll('[data-live-text="' + key + '"]')) if (el.textContent !== value) el.textContent = value;
    }
    for (const [key, pair] of Object.entries(view.bars || {})) {
      for (const el of document.querySelectorAll('progress[data-live-bar="' + key + '"]')) { el.max = pair[1] || 1; el.value = pair[0]; }
    }
    for (const [key, on] of Object.entries(view.show || {})) {
      for (const el of document.querySelectorAll('[data-live-show="' + key + '"]')) el.hidden = !on;
    }
    document.documentElement.dataset.liveUpdates = String(Number(document.documentElement.dataset.liveUpdates || 0) + 1);
  });
})();
`;

/** The tab's icon: a house with an arrow (re-home), in the console's blue; small enough to inline. */
export const CONSOLE_FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b57d0"/><path d="M6 16 16 7l10 9h-3v9h-5v-6h-4v6H9v-9z" fill="#fff"/></svg>`;
