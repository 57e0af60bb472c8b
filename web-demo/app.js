// The demo: a todo list on the public API only (js/index.js), as an app would use it.
import {
  init, Schema, Table, column, PowerSyncDatabase, createCollection, powerSyncCollectionOptions,
} from '/js/index.js'

const $ = (id) => document.querySelector(`[data-testid="${id}"]`)

const schema = new Schema({
  todos: new Table(
    { description: column.text, completed: column.integer, created_at: column.text },
    { indexes: { by_created: ['created_at'] } },
  ),
})

function showError(err) {
  const box = $('error')
  box.textContent = `${err?.name ?? 'Error'}: ${err?.message ?? err}`
  box.hidden = false
  console.error(err)
}

async function main() {
  await init({ wasmURL: new URL('/dist/', location.href) })
  const db = new PowerSyncDatabase({ schema, database: { dbFilename: 'demo.sqlite' } })
  await db.init()

  const todos = createCollection(powerSyncCollectionOptions({ database: db, table: schema.props.todos }))
  // Expose for tests and for poking around in the console.
  globalThis.demo = { db, todos }

  let search = ''
  const render = () => {
    $('collection-status').textContent = todos.status
    $('row-count').textContent = String(todos.size)
    const needle = search.toLowerCase()
    const rows = todos.toArray
      .filter((t) => !needle || (t.description ?? '').toLowerCase().includes(needle))
      .sort((a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? '') || a.id.localeCompare(b.id))
    $('list').replaceChildren(...rows.map(renderItem))
  }

  const renderItem = (todo) => {
    const li = document.createElement('li')
    li.dataset.testid = 'todo'
    li.dataset.id = todo.id
    li.classList.toggle('done', todo.completed === 1)

    const box = document.createElement('input')
    box.type = 'checkbox'
    box.checked = todo.completed === 1
    box.dataset.testid = 'toggle'
    box.addEventListener('change', () => persist(todos.update(todo.id, (d) => { d.completed = box.checked ? 1 : 0 })))

    const text = document.createElement('span')
    text.className = 'text'
    text.dataset.testid = 'todo-text'
    text.textContent = todo.description
    text.addEventListener('dblclick', () => startEdit(li, text, todo))

    const del = document.createElement('button')
    del.textContent = 'Delete'
    del.dataset.testid = 'delete'
    del.addEventListener('click', () => persist(todos.delete(todo.id)))

    li.append(box, text, del)
    return li
  }

  const startEdit = (li, text, todo) => {
    const input = document.createElement('input')
    input.className = 'edit'
    input.dataset.testid = 'edit'
    input.value = todo.description ?? ''
    let finished = false
    // Enter (or Escape) and the blur that follows both end the edit: act once.
    const finish = (save) => {
      if (finished) return
      finished = true
      if (input.isConnected) input.replaceWith(text)
      const value = input.value.trim()
      if (save && value && value !== todo.description) {
        persist(todos.update(todo.id, (d) => { d.description = value }))
      }
    }
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') finish(true)
      if (e.key === 'Escape') finish(false)
    })
    input.addEventListener('blur', () => finish(true), { once: true })
    text.replaceWith(input)
    input.focus()
  }

  const refreshQueue = async () => {
    const row = await db.get('SELECT count(*) AS n FROM ps_crud')
    $('queue-length').textContent = String(row.n)
  }

  // Mutations apply at once; a failure to persist rolls them back and shows why.
  const persist = (tx) => tx.isPersisted.promise.then(refreshQueue, showError)

  $('add-form').addEventListener('submit', (e) => {
    e.preventDefault()
    const input = $('new-todo')
    const description = input.value.trim()
    if (!description) return
    input.value = ''
    persist(todos.insert({
      id: crypto.randomUUID(), description, completed: 0, created_at: new Date().toISOString(),
    }))
  })
  $('search').addEventListener('input', (e) => { search = e.target.value; render() })

  todos.subscribeChanges(render)
  db.onChange({ onChange: () => refreshQueue().catch(showError) }, { tables: ['todos'] })
  await todos.preload()
  render()
  await refreshQueue()
  document.body.dataset.ready = 'true'
}

main().catch(showError)
