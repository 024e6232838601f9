// The explorer's router: the hash holds the view and its question
// (#/status/412, #/lookup?status=412&dialect=DIALECT_CONNECT), so every
// view can be bookmarked and shared.
import {listProfiles, listStatuses} from './api.js';
import {notice} from './dom.js';

// Views load on first use; the catalog is preloaded as the first view.
const views = {
  catalog: () => import('./catalog.js'),
  status: () => import('./status.js'),
  matrix: () => import('./matrix.js'),
  profiles: () => import('./profiles.js'),
  lookup: () => import('./lookup.js'),
  validate: () => import('./validate.js'),
};

// parse splits "#/status/412?x=1" into view "status", path ["412"] and
// params.
export function parse(hash) {
  const raw = hash.replace(/^#\/?/, '');
  const [p, q = ''] = raw.split('?', 2);
  const [view, ...path] = p.split('/').filter(Boolean).map(decodeURIComponent);
  return {view: view || 'catalog', path, params: new URLSearchParams(q)};
}

let generation = 0;

async function render(event) {
  const route = parse(location.hash);
  const main = document.getElementById('view');
  const gen = ++generation;
  for (const a of document.querySelectorAll('nav a[data-view]')) {
    const current = a.dataset.view === route.view || (route.view === 'status' && a.dataset.view === 'catalog');
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.setAttribute('aria-busy', 'true');
  let content;
  try {
    const load = views[route.view];
    if (!load) throw new Error(`There is no view "${route.view}".`);
    const mod = await load();
    content = await mod.render(route);
  } catch (err) {
    content = notice('error', err.message);
  }
  if (gen !== generation) return; // a newer navigation won
  main.replaceChildren(content);
  main.removeAttribute('aria-busy');
  document.title = `${main.querySelector('h1')?.textContent ?? 'statusd'} · statusd explorer`;
  const target = route.params.get('focus');
  const el = target && document.getElementById(target);
  if (el) {
    el.scrollIntoView({block: 'center'});
    el.classList.add('target');
  } else if (event) {
    // After a navigation inside the page, keyboard and screen-reader
    // users start at the new view, as after a page load.
    // A view may name what to start at (the Lookup answer).
    const start = main.querySelector('[data-start]') ?? main;
    start.focus({preventScroll: true});
    if (start === main) scrollTo(0, 0);
    else start.scrollIntoView({block: 'nearest'});
  }
  // A User Timing mark, for DevTools and for the test of the first view.
  performance.mark('statusd:rendered', {detail: route.view});
  document.documentElement.dataset.view = route.view;
}

// The statuses and profiles are what almost every view shows: index.html
// preloads them, in parallel with the modules, and they are asked for
// here, whatever the view, so the preloads are always used.
listStatuses().catch(() => {});
listProfiles().catch(() => {});
addEventListener('hashchange', render);
render();
