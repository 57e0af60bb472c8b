// What the two collection kinds share: Collection (collection.js) and
// LiveQueryCollection (live-query.js) each stand for an engine object,
// `_go` (null while their database or sources open, `_pending` then
// settling once it exists), and wait for it, preload and clean up alike.
// `_forget()` drops a subclass's read cache; `_afterPreload()` and
// `_afterCleanup()` let a subclass check or reset its own state there.

import { call } from './loader.js';

/** The base of Collection and LiveQueryCollection. @internal */
export class EngineCollection {
  /** Starts sync if needed and resolves once the collection is ready. */
  async preload() {
    if (!this._go) await this._pending;
    await call(this._go.preload);
    this._afterPreload();
  }

  /** A subclass's check once ready; it may throw to reject preload. @internal */
  _afterPreload() {}

  /** A subclass's reset after cleanup. @internal */
  _afterCleanup() {}

  /** Resolves to the state Map once ready. */
  async stateWhenReady() {
    await this.preload();
    return this.state;
  }

  /** Resolves to the items once ready. */
  async toArrayWhenReady() {
    await this.preload();
    return this.toArray;
  }

  /**
   * Stops sync (a live query: stops the query and releases what it loaded)
   * and drops the items; using the collection again restarts it.
   */
  async cleanup() {
    if (!this._go) await this._pending?.catch(() => {});
    if (this._go) {
      // Cleanup ends every engine subscription, the read cache's too.
      this._watchId = null;
      this._forget();
      await call(this._go.cleanup);
      this._forget();
    }
    this._afterCleanup();
  }
}
