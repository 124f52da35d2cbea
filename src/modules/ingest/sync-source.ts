/** What brought a ticket version: the historical import, the catch-up on the export, or a webhook's refresh. */
export const SYNC_SOURCES = ['import', 'catch-up', 'webhook'] as const;
export type SyncSource = (typeof SYNC_SOURCES)[number];
