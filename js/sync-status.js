// The sync status in PowerSync's shape. The Go engine builds it as JSON
// (bridge/syncstatus.go, the one home of its shape); this file only
// revives that text: errors become Error instances, times Dates.

/**
 * Download progress, PowerSync's SyncProgress: the operations of the
 * checkpoint being downloaded, and untilPriority(p) for the buckets of
 * priority p and more urgent ones.
 */
export class SyncProgress {
  /** @param {{ downloadedOperations: number, totalOperations: number, downloadedFraction: number, priorities?: object[] }} p */
  constructor(p) {
    /** Operations downloaded so far. */
    this.downloadedOperations = p.downloadedOperations;
    /** Operations to download in all for the checkpoint. */
    this.totalOperations = p.totalOperations;
    /** downloadedOperations / totalOperations, from 0 to 1 (1 when there is nothing to download). */
    this.downloadedFraction = p.downloadedFraction;
    Object.defineProperty(this, '_priorities', { value: p.priorities ?? [] });
  }

  /** Progress towards the buckets of the given priority and more urgent ones. */
  untilPriority(priority) {
    let found = { downloadedOperations: 0, totalOperations: 0, downloadedFraction: 1 };
    for (const e of this._priorities) { // ascending: the last one <= priority counts them all
      if (e.priority <= priority) found = e;
    }
    const { downloadedOperations, totalOperations, downloadedFraction } = found;
    return { downloadedOperations, totalOperations, downloadedFraction };
  }

  toJSON() {
    return { downloadedOperations: this.downloadedOperations, totalOperations: this.totalOperations, downloadedFraction: this.downloadedFraction };
  }
}

/**
 * The state of sync, as PowerSync's SyncStatus: db.currentStatus and
 * what registerListener({ statusChanged }) receives. A value: a later
 * change makes a new one.
 */
export class SyncStatus {
  /**
   * @param {{ connected?: boolean, connecting?: boolean, hasSynced?: boolean, lastSyncedAt?: Date,
   *   dataFlow?: object, priorityStatusEntries?: object[] }} [options] PowerSync's SyncStatusOptions
   */
  constructor(options = {}) {
    Object.defineProperty(this, 'options', { value: options });
  }

  /** True while a sync stream is open. */
  get connected() { return this.options.connected ?? false; }

  /** True while a stream is being opened, or a retry awaited after an error. */
  get connecting() { return this.options.connecting ?? false; }

  /** When a complete checkpoint was last applied (remembered across restarts), or undefined. */
  get lastSyncedAt() { return this.options.lastSyncedAt; }

  /**
   * Whether a complete checkpoint was ever applied: a boolean once the
   * database is open, undefined before.
   */
  get hasSynced() { return this.options.hasSynced; }

  /** { downloading, uploading, downloadError?, uploadError?, downloadProgress? } */
  get dataFlowStatus() { return this.options.dataFlow ?? { downloading: false, uploading: false }; }

  /** True while a checkpoint is being downloaded. */
  get downloading() { return this.dataFlowStatus.downloading; }

  /** True while the connector's uploadData runs. */
  get uploading() { return this.dataFlowStatus.uploading; }

  /** What ended the last sync stream (connection, credentials, protocol); cleared by the next applied checkpoint. */
  get downloadError() { return this.dataFlowStatus.downloadError; }

  /** What the last upload threw; cleared by the next successful upload. */
  get uploadError() { return this.dataFlowStatus.uploadError; }

  /** Per bucket priority synced on its own (partial checkpoints), most urgent first: [{ priority, hasSynced, lastSyncedAt }]. */
  get priorityStatusEntries() { return this.options.priorityStatusEntries ?? []; }

  /** Progress of the checkpoint being downloaded (a SyncProgress), or null when none is. */
  get downloadProgress() { return this.dataFlowStatus.downloadProgress ?? null; }

  /**
   * The sync state of the buckets of the given priority: the entry of the
   * least urgent priority that is at least as urgent, else the complete
   * sync's state (as psync.SyncStatus.StatusForPriority and PowerSync).
   */
  statusForPriority(priority) {
    for (const e of this.priorityStatusEntries) { // most urgent first
      if (e.priority >= priority) return e;
    }
    return { priority, hasSynced: this.hasSynced, lastSyncedAt: this.lastSyncedAt };
  }

  /** Whether status holds the same values. */
  isEqual(status) {
    return status instanceof SyncStatus && JSON.stringify(this) === JSON.stringify(status);
  }

  /** A line for logs. */
  getMessage() {
    return `SyncStatus<connected: ${this.connected} connecting: ${this.connecting} lastSyncedAt: ${this.lastSyncedAt} hasSynced: ${this.hasSynced}. ` +
      `Downloading: ${this.downloading}. Uploading: ${this.uploading}. UploadError: ${this.uploadError}, DownloadError?: ${this.downloadError}>`;
  }

  /** A plain object (errors as { name, message }). */
  toJSON() {
    const df = this.dataFlowStatus;
    return {
      connected: this.connected,
      connecting: this.connecting,
      dataFlow: {
        downloading: df.downloading, uploading: df.uploading,
        downloadError: errorJSON(df.downloadError), uploadError: errorJSON(df.uploadError),
        downloadProgress: df.downloadProgress?.toJSON(),
      },
      lastSyncedAt: this.lastSyncedAt,
      hasSynced: this.hasSynced,
      priorityStatusEntries: this.priorityStatusEntries,
    };
  }
}

function errorJSON(e) {
  return e === undefined ? undefined : { name: e.name, message: e.message, status: e.status, code: e.code };
}

const date = (ms) => (ms === null || ms === undefined ? undefined : new Date(ms));

/**
 * An error of the sync status: the message Go reported, and for an HTTP
 * answer its status and the service's error code.
 */
function reviveError(e) {
  if (!e) return undefined;
  const err = new Error(e.message);
  if (e.status !== undefined) err.status = e.status;
  if (e.code !== undefined) err.code = e.code;
  return err;
}

/**
 * Revives the JSON text of bridge/syncstatus.go. An error the app's
 * connector threw ("thrown": the method) is the app's own value, as
 * PowerSync's dataFlow keeps it, when thrown holds it (the last value each
 * method of this context's connector threw): its class, properties and
 * cause stay. @internal
 */
export function reviveSyncStatus(text, thrown) {
  const j = JSON.parse(text);
  const df = j.dataFlow;
  const dataFlow = { downloading: df.downloading, uploading: df.uploading };
  const error = (e) => (e.thrown && thrown?.[e.thrown] != null ? thrown[e.thrown] : reviveError(e));
  if (df.downloadError) dataFlow.downloadError = error(df.downloadError);
  if (df.uploadError) dataFlow.uploadError = error(df.uploadError);
  if (df.downloadProgress) dataFlow.downloadProgress = new SyncProgress(df.downloadProgress);
  return new SyncStatus({
    connected: j.connected,
    connecting: j.connecting,
    hasSynced: j.hasSynced,
    lastSyncedAt: date(j.lastSyncedAt),
    dataFlow,
    priorityStatusEntries: j.priorityStatusEntries.map((e) => ({ priority: e.priority, hasSynced: e.hasSynced, lastSyncedAt: date(e.lastSyncedAt) })),
  });
}
