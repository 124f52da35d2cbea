/** How the rest of the product asks for sync work without knowing the queue (jobs/ implements it). */
export interface SyncRequests {
  /** Follow the connection's export now (the import on a new connection, a catch-up after). */
  sync(connectionId: string): Promise<void>;
  /** Process the connection's stored webhook deliveries now. */
  processWebhooks(connectionId: string): Promise<void>;
}
