// The demo: a shared list that syncs between clients through the dev sync
// server on this origin, written on the public API only (js/index.js), as an
// app would use it. Copy what you need:
//   - the connector (fetchCredentials, uploadData) for the dev sync server;
//   - a collection for reads and optimistic writes, persisted by the database;
//   - db.currentStatus and registerListener for the sync status;
//   - db.watch on ps_crud for what is waiting to upload;
//   - live queries for the list as searched and the open count.
import {
  init, Schema, Table, column, PowerSyncDatabase, createCollection, powerSyncCollectionOptions,
  createLiveQueryCollection, eq, ilike, count,
} from '/js/index.js'

const $ = (id) => document.querySelector(`[data-testid="${id}"]`)

const schema = new Schema({
  todos: new Table(
    { description: column.text, completed: column.integer, created_at: column.text },
    { indexes: { by_created: ['created_at'] } },
  ),
})

// ---------- Which client this window is ----------

// ?client=2 is a second device: its own database, so two windows sync with
// each other through the server as two browsers would.
const client = /^[1-9][0-9]?$/.test(new URLSearchParams(location.search).get('client') ?? '')
  ? new URLSearchParams(location.search).get('client')
  : '1'
const other = client === '1' ? '2' : '1'
const dbFilename = client === '1' ? 'demo.sqlite' : `demo-${client}.sqlite`
const offlineKey = `gopowersync-demo:client-${client}:offline`

document.title = `Shared list · client ${client} · gopowersync demo`
$('client').textContent = `client ${client}`
$('open-client').href = `/?client=${other}`
$('open-client').textContent = `Open client ${other} ↗`
$('offline').checked = localStorage.getItem(offlineKey) === '1'

// ---------- The connector for the dev sync server (same origin) ----------

const connector = {
  // The server hands out dev tokens; endpoint is this origin.
  async fetchCredentials() {
    const r = await request('/api/token')
    if (!r.ok) throw new Error(`/api/token answered ${r.status} ${await r.text()}`)
    return r.json()
  },
  // One client transaction per call, as PowerSync does; throwing keeps it
  // queued and retries later.
  async uploadData(database) {
    const tx = await database.getNextCrudTransaction()
    if (!tx) return
    const r = await request('/api/upload', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ batch: tx.crud.map((e) => e.toJSON()) }),
    })
    if (!r.ok) throw new Error(`/api/upload answered ${r.status} ${await r.text()}`)
    await tx.complete()
  },
}

// request is fetch with an error that says which server could not be reached.
async function request(path, init) {
  try {
    return await fetch(path, init)
  } catch (err) {
    throw new Error(`cannot reach the sync server at ${location.origin} (${err.message})`)
  }
}

// ---------- Notices: every error says what to do ----------

const notices = new Map()

/**
 * Shows the notice of one kind: text says what happened and what to do,
 * detail (optional) is the error as reported. text null clears it.
 */
function notice(kind, text, detail) {
  if (text) notices.set(kind, { text, detail })
  else notices.delete(kind)
  const box = $('error')
  box.replaceChildren(...[...notices.values()].map(({ text, detail }) => {
    const p = document.createElement('p')
    p.textContent = text
    if (detail) {
      const d = document.createElement('small')
      d.textContent = detail
      p.append(d)
    }
    return p
  }))
  box.hidden = notices.size === 0
}

const message = (err) => err?.message ?? String(err)

/** What to tell the user about an error that stops the app. */
function fatalText(err) {
  switch (err?.name) {
    case 'DatabaseLockedError':
      return `Another tab or window of this browser kept client ${client}'s database busy for too long. ` +
        `Close the tabs of client ${client} you do not need and reload this one. To try a second device, open client ${other} instead.`
    case 'PersistenceError':
      return `This browser refused to store the list (${message(err.cause ?? err)}): storage may be full or blocked for this site. ` +
        'Free some disk space or allow storage for this site, then reload.'
    default:
      return `The app could not start: ${err?.name ?? 'Error'}: ${message(err)}. ` +
        'Check that `make demo` is running and that the module is built (`make build`), then reload.'
  }
}

/** What to tell the user about a change that could not be saved. */
function saveText(err) {
  if (err?.name === 'PersistenceError') return fatalText(err)
  return `Your last change could not be saved and was undone: ${message(err)}. Try it again; if it keeps failing, reload the page.`
}

// ---------- The form works from the first paint ----------

// The fieldset is disabled until the list is ready; the handler is here, not
// after the awaits below, so that a submit can never reach the browser.
let app = null
$('add-form').addEventListener('submit', (e) => {
  e.preventDefault()
  app?.add($('new-todo'))
})

// ---------- The app ----------

async function main() {
  await init({ wasmURL: new URL('/dist/', location.href) })
  const db = new PowerSyncDatabase({ schema, database: { dbFilename } })
  await db.init()

  const todos = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.todos }))
  // Exposed for tests and for poking around in the console.
  globalThis.demo = { db, todos, client }

  // Mutations apply at once and persist in the background; a failure rolls
  // them back and says so.
  const act = (mutate) => {
    let tx
    try {
      tx = mutate()
    } catch (err) {
      notice('save', saveText(err))
      return
    }
    tx.isPersisted.promise.then(() => notice('save', null), (err) => notice('save', saveText(err)))
  }

  // The list as searched, in creation order: a live query, replaced when
  // the search changes; the engine keeps it up to date change by change.
  let shown = null
  let shownSub = null
  const search = () => {
    const needle = $('search').value
    const next = createLiveQueryCollection({
      query: (q) => {
        let b = q.from({ t: todos })
        // like's % and _ are wildcards, with no escape (as in TanStack DB): a
        // typed % or _ becomes _ (any one character) and the list keeps the
        // exact matches (shownRows).
        if (needle) b = b.where(({ t }) => ilike(t.description, `%${needle.replace(/[%_]/g, '_')}%`))
        return b.orderBy(({ t }) => t.created_at, { stringSort: 'lexical' }).orderBy(({ t }) => t.id, { stringSort: 'lexical' })
      },
      gcTime: 0,
    })
    const [old, oldSub] = [shown, shownSub]
    shown = next
    shownSub = next.subscribeChanges(() => list.render())
    oldSub?.unsubscribe()
    old?.cleanup()
    list.render()
  }
  const shownRows = () => {
    const needle = $('search').value.toLowerCase()
    const rows = shown?.toArray ?? []
    return /[%_]/.test(needle) ? rows.filter((t) => (t.description ?? '').toLowerCase().includes(needle)) : rows
  }
  const list = createList({ todos, act, rows: shownRows })
  app = {
    add(input) {
      const description = input.value.trim()
      if (!description) return
      input.value = ''
      act(() => todos.insert({ id: crypto.randomUUID(), description, completed: 0, created_at: new Date().toISOString() }))
    },
  }

  // What waits to upload: the count, and which items have changes in it.
  db.watch(`SELECT count(*) AS n, json_group_array(DISTINCT json_extract(data, '$.id')) AS ids FROM ps_crud`, [], {
    onResult: (r) => {
      const row = r.rows._array[0]
      // One item edited three times is three changes (PowerSync uploads each): show both counts.
      const pending = new Set(JSON.parse(row.ids))
      $('queue-length').textContent = String(row.n)
      $('queue-items').textContent = String(pending.size)
      $('queue-changes-word').textContent = row.n === 1 ? 'change' : 'changes'
      $('queue-items-word').textContent = pending.size === 1 ? 'item' : 'items'
      list.setPending(pending)
    },
    onError: (err) => notice('queue', `Could not read the upload queue: ${message(err)}. Reload the page.`),
  })

  todos.subscribeChanges(() => list.render())
  $('search').addEventListener('input', search)
  await todos.preload()
  search()
  const open = createLiveQueryCollection({
    query: (q) => q.from({ t: todos }).where(({ t }) => eq(t.completed, 0)).select(({ t }) => ({ n: count(t.id) })),
    gcTime: 0,
  })
  const showOpen = () => { $('open-count').textContent = String(open.toArray[0]?.n ?? 0) }
  open.subscribeChanges(showOpen)
  showOpen()

  $('controls').disabled = false
  $('search').disabled = false
  $('new-todo').placeholder = 'What needs doing?'
  $('new-todo').focus()
  startSync(db)
  document.body.dataset.ready = 'true'
}

// createList renders the collection into the list, keyed by id so that an
// item being edited keeps its input while other changes (from sync, say)
// arrive.
function createList({ todos, act, rows: shownRows }) {
  const views = new Map()
  let pending = new Set()

  const view = (id) => {
    const li = document.createElement('li')
    li.dataset.testid = 'todo'
    li.dataset.id = id

    const box = document.createElement('input')
    box.type = 'checkbox'
    box.dataset.testid = 'toggle'
    box.setAttribute('aria-label', 'Done')
    box.addEventListener('change', () => act(() => todos.update(id, (d) => { d.completed = box.checked ? 1 : 0 })))

    const text = document.createElement('span')
    text.className = 'text'
    text.dataset.testid = 'todo-text'
    text.tabIndex = 0
    text.title = 'Double-click to edit'
    text.addEventListener('dblclick', () => startEdit(v))
    text.addEventListener('keydown', (e) => { if (e.key === 'Enter') startEdit(v) })

    const mark = document.createElement('span')
    mark.className = 'mark'
    mark.title = 'Changed here and waiting in the upload queue'
    mark.textContent = '↑ not uploaded'

    const del = document.createElement('button')
    del.type = 'button'
    del.textContent = 'Delete'
    del.dataset.testid = 'delete'
    del.addEventListener('click', () => act(() => todos.delete(id)))

    li.append(box, text, mark, del)
    const v = { li, box, text, todo: null, editing: false }
    return v
  }

  const update = (v, todo) => {
    v.todo = todo
    const done = todo.completed === 1
    v.li.classList.toggle('done', done)
    v.li.classList.toggle('pending', pending.has(todo.id))
    v.box.checked = done
    if (v.text.textContent !== (todo.description ?? '')) v.text.textContent = todo.description ?? ''
  }

  const startEdit = (v) => {
    if (v.editing) return
    v.editing = true
    const input = document.createElement('input')
    input.className = 'edit'
    input.dataset.testid = 'edit'
    input.setAttribute('aria-label', 'Edit item')
    input.value = v.todo.description ?? ''
    // Enter (or Escape) and the blur that follows both end the edit: act once.
    const finish = (save, keepFocus) => {
      if (!v.editing) return
      v.editing = false
      const value = input.value.trim()
      if (input.isConnected) input.replaceWith(v.text)
      // As in TodoMVC, an item edited down to nothing is deleted (Escape keeps it).
      if (save && value !== v.todo.description && todos.has(v.todo.id)) {
        if (value) act(() => todos.update(v.todo.id, (d) => { d.description = value }))
        else act(() => todos.delete(v.todo.id))
      }
      if (keepFocus) v.text.focus()
    }
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') finish(true, true)
      if (e.key === 'Escape') finish(false, true)
    })
    input.addEventListener('blur', () => finish(true, false))
    v.text.replaceWith(input)
    input.focus()
  }

  const render = () => {
    const rows = shownRows()
    const ul = $('list')
    const shown = new Set()
    let prev = null
    for (const todo of rows) {
      let v = views.get(todo.id)
      if (!v) views.set(todo.id, (v = view(todo.id)))
      update(v, todo)
      const at = prev ? prev.nextSibling : ul.firstChild
      if (at !== v.li) ul.insertBefore(v.li, at)
      prev = v.li
      shown.add(todo.id)
    }
    for (const [id, v] of views) {
      if (!shown.has(id)) {
        v.li.remove()
        views.delete(id)
      }
    }
    $('row-count').textContent = String(todos.size)
    $('collection-status').textContent = todos.status
  }

  return {
    render,
    setPending(ids) {
      pending = ids
      for (const [id, v] of views) v.li.classList.toggle('pending', ids.has(id))
    },
  }
}

// ---------- Sync ----------

function startSync(db) {
  const offline = $('offline')
  offline.disabled = false

  // Connects or disconnects to match the switch; one change at a time.
  let applying = Promise.resolve()
  const apply = () => {
    applying = applying.then(async () => {
      try {
        if (offline.checked) await db.disconnect()
        // With several tabs open, one syncs and the others take over
        // when it closes: every tab asks.
        else await db.connect(connector, { crudUploadThrottleMs: 100 })
        notice('connect', null)
      } catch (err) {
        notice('connect', `Could not ${offline.checked ? 'disconnect' : 'connect'}. Switch "Work offline" on and off to try again, ` +
          'or reload the page.', message(err))
      }
      renderSync(db.currentStatus)
    })
  }
  offline.addEventListener('change', () => {
    // Remembered, so that a reload while offline stays offline.
    if (offline.checked) localStorage.setItem(offlineKey, '1')
    else localStorage.removeItem(offlineKey)
    apply()
  })
  // The switch is the client's, not the tab's: with the same client open in
  // several tabs, one of them syncs, so every tab follows a change made in
  // another (the storage event fires in the other tabs of the origin).
  window.addEventListener('storage', (e) => {
    if (e.key !== offlineKey) return
    const off = e.newValue === '1'
    if (offline.checked === off) return
    offline.checked = off
    apply()
  })
  db.registerListener({ statusChanged: (status) => renderSync(status) })
  renderSync(db.currentStatus)
  apply()
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })

function renderSync(status) {
  const pill = $('sync-status')
  const show = (state, text) => {
    pill.dataset.state = state
    pill.textContent = text
  }
  const flow = status.dataFlowStatus
  const switchedOff = $('offline').checked
  if (switchedOff) show('offline', 'offline')
  else if (status.connected) show('connected', 'connected')
  else if (status.connecting) show('connecting', 'connecting')
  else show('offline', 'offline')

  const last = status.lastSyncedAt
  $('last-synced').textContent = last ? timeFormat.format(last) : 'never'
  $('last-synced').title = last ? new Date(last).toISOString() : ''

  const fraction = status.downloadProgress?.downloadedFraction
  $('uploading').hidden = !flow.uploading
  $('downloading').hidden = !flow.downloading
  $('downloading').textContent = fraction != null && fraction < 1 ? `↓ downloading ${Math.floor(fraction * 100)}%` : '↓ downloading'

  // Switched offline, the errors of the last connection no longer matter.
  if (flow.downloadError && !switchedOff) {
    notice('sync', 'Cannot sync with the server. Check that `make demo` is still running; this client retries every few ' +
      'seconds, and your changes stay here until they upload.',
    [flow.downloadError, flow.uploadError].filter(Boolean).map(message).join(' · '))
  } else if (flow.uploadError && !switchedOff) {
    notice('sync', 'Your changes are not uploaded yet. They stay in the upload queue and are retried every few seconds; ' +
      'if this goes on, the server\'s log (in the `make demo` terminal) says why.', message(flow.uploadError))
  } else {
    notice('sync', null)
  }
}

main().catch((err) => {
  // The app cannot go on: say why and what to do, and leave the controls off.
  notice('fatal', fatalText(err))
  $('collection-status').textContent = err?.name === 'DatabaseLockedError' ? 'open in another tab' : 'error'
  $('sync-status').dataset.state = 'unavailable'
  $('sync-status').textContent = 'not connected'
  $('row-count').textContent = '–'
  $('queue-length').textContent = '–'
  $('queue-items').textContent = '–'
  $('new-todo').placeholder = err?.name === 'DatabaseLockedError' ? 'Open in another tab' : 'Unavailable'
  document.body.dataset.failed = err?.name ?? 'Error'
  if (err?.name !== 'DatabaseLockedError') console.error(err)
})
