/**
 * Live updates: one EventSource per tab on GET /api/events. Each change refreshes the data it
 * touches (a customer's tickets, metrics and health; the alerts; the connections' progress); the
 * browser reconnects by itself after a drop, and everything is refreshed then (we may have missed
 * changes meanwhile).
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { EVENTS_PATH, type AlertChange, type LiveEventOf } from '../../src/contracts/events.ts';

export type LiveState = 'connecting' | 'live' | 'offline';

export type LiveAlert = AlertChange;

function refreshCustomer(client: QueryClient, customerId: string): void {
  for (const key of ['tickets', 'history', 'customer', 'metrics', 'health']) void client.invalidateQueries({ queryKey: [key, customerId] });
}

export function useLiveUpdates(enabled: boolean, onAlerts: (alerts: LiveAlert[]) => void): LiveState {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    const source = new EventSource(EVENTS_PATH);
    let wasOpen = false;
    const later = new Set<string>();
    let laterTimer: ReturnType<typeof setTimeout> | null = null;
    let listTimer: ReturnType<typeof setTimeout> | null = null;
    source.addEventListener('ready', () => {
      setState('live');
      if (wasOpen) void client.invalidateQueries();
      wasOpen = true;
    });
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    source.addEventListener('tickets', (event) => {
      const message = JSON.parse((event as MessageEvent<string>).data) as LiveEventOf<'tickets'>;
      for (const id of message.customerIds) {
        refreshCustomer(client, id);
        later.add(id);
      }
      // Metrics and health are recomputed just after the tickets are written: look again shortly.
      laterTimer ??= setTimeout(() => {
        laterTimer = null;
        for (const id of later) refreshCustomer(client, id);
        later.clear();
      }, 2000);
      listTimer ??= setTimeout(() => {
        listTimer = null;
        void client.invalidateQueries({ queryKey: ['customers'] });
      }, 1500);
    });
    source.addEventListener('alerts', (event) => {
      const message = JSON.parse((event as MessageEvent<string>).data) as LiveEventOf<'alerts'>;
      void client.invalidateQueries({ queryKey: ['alerts'] });
      for (const alert of message.alerts) refreshCustomer(client, alert.customerId);
      onAlerts(message.alerts);
    });
    source.addEventListener('sync', () => {
      void client.invalidateQueries({ queryKey: ['connections'] });
      void client.invalidateQueries({ queryKey: ['unmatched'] });
    });
    return () => {
      source.close();
      if (laterTimer) clearTimeout(laterTimer);
      if (listTimer) clearTimeout(listTimer);
    };
    // onAlerts must be stable (the caller passes a ref-backed callback): the stream follows sign-in only.
  }, [enabled, client, onAlerts]);
  return state;
}
