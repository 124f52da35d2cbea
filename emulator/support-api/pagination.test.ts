import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestEmulator, testEmulator } from '../testing/test-emulator.ts';
import { isArchived } from './state.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Page = any;

describe('list pagination', () => {
  let t: TestEmulator;
  let listable: number[];
  beforeAll(async () => {
    t = await testEmulator();
    // Tickets closed more than 120 days ago are archived and out of the lists.
    listable = [...t.state().account.tickets.values()]
      .filter((x) => !x.deleted && x.support_type === 'agent' && !isArchived(t.state(), x.id, t.clock.nowMs()))
      .map((x) => x.id);
  });
  afterAll(() => t.emulator.close());

  /** Follows `links.next` until `meta.has_more` is false, as the pagination guide says. */
  async function walkCursor(first: string): Promise<Page[]> {
    const pages: Page[] = [];
    let url: string | null = first;
    while (url) {
      const response = await t.request('GET', url.replace(/^https?:\/\/[^/]+/, ''));
      expect(response.status).toBe(200);
      pages.push(response.json);
      url = response.json.meta.has_more ? response.json.links.next : null;
    }
    return pages;
  }

  describe('offset', () => {
    it('serves 100 per page by default with next_page, previous_page and count', async () => {
      const first = await t.request('GET', '/acme/api/v2/tickets.json');
      expect(first.json.tickets).toHaveLength(100);
      expect(first.json.count).toBe(listable.length);
      expect(first.json.previous_page).toBeNull();
      expect(first.json.next_page).toBe('http://127.0.0.1:4010/acme/api/v2/tickets.json?page=2&per_page=100');
      const lastPage = Math.ceil(listable.length / 100);
      const last = await t.request('GET', `/acme/api/v2/tickets.json?page=${lastPage}`);
      expect(last.json.next_page).toBeNull();
      expect(last.json.previous_page).toMatch(new RegExp(`page=${lastPage - 1}`));
      expect(last.json.tickets.map((x: Page) => x.id)).toEqual(listable.slice((lastPage - 1) * 100));
    });

    it('caps per_page at 100 and sorts with sort_by / sort_order', async () => {
      expect((await t.request('GET', '/acme/api/v2/tickets.json?per_page=500')).json.tickets).toHaveLength(100);
      const sorted = await t.request('GET', '/acme/api/v2/tickets.json?per_page=20&sort_by=updated_at&sort_order=desc');
      const stamps = sorted.json.tickets.map((x: Page) => x.updated_at);
      expect(stamps).toEqual([...stamps].sort().reverse());
    });

    it('refuses pages past 100 or records past 10,000 with 400 InvalidPaginationDepth', async () => {
      expect((await t.request('GET', '/acme/api/v2/tickets.json?page=100&per_page=100')).status).toBe(200);
      for (const query of ['page=101', 'page=101&per_page=10', 'page=1000&per_page=1']) {
        const response = await t.request('GET', `/acme/api/v2/tickets.json?${query}`);
        expect(response.status, query).toBe(400);
        expect(response.json.errors[0].code).toBe('InvalidPaginationDepth');
        expect(response.json.errors[0].title).toMatch(/limited to page 100 or up to 10000 records/);
      }
    });
  });

  describe('cursor', () => {
    it('walks every ticket exactly once, 100 at most per page, last page has_more false and no next link', async () => {
      const pages = await walkCursor('/acme/api/v2/tickets.json?page[size]=100');
      const ids = pages.flatMap((page) => page.tickets.map((x: Page) => x.id));
      expect(ids).toEqual(listable);
      const last = pages[pages.length - 1];
      expect(last.meta.has_more).toBe(false);
      expect(last.links.next).toBeNull();
      expect(pages[0].links.prev).toBeNull();
      expect(pages[1].links.prev).toMatch(/page\[before\]=/);
    });

    it('pages backwards with page[before]', async () => {
      const first = await t.request('GET', '/acme/api/v2/tickets.json?page[size]=5');
      const second = await t.request('GET', first.json.links.next.replace(/^https?:\/\/[^/]+/, ''));
      const back = await t.request('GET', second.json.links.prev.replace(/^https?:\/\/[^/]+/, ''));
      expect(back.json.tickets.map((x: Page) => x.id)).toEqual(first.json.tickets.map((x: Page) => x.id));
    });

    it('orders by sort=-updated_at and ignores sort_by/sort_order', async () => {
      const pages = await walkCursor('/acme/api/v2/tickets.json?page[size]=50&sort=-updated_at');
      const stamps = pages.flatMap((page) => page.tickets.map((x: Page) => x.updated_at));
      expect(stamps).toEqual([...stamps].sort().reverse());
      expect(stamps).toHaveLength(listable.length);
      const ignored = await t.request('GET', '/acme/api/v2/tickets.json?page[size]=10&sort_by=updated_at&sort_order=desc');
      expect(ignored.json.tickets.map((x: Page) => x.id)).toEqual(listable.slice(0, 10));
    });

    it('refuses page[size] over 100, unknown sorts and foreign cursors with 400 InvalidPaginationParameter', async () => {
      for (const query of ['page[size]=101', 'page[size]=0', 'page[size]=10&sort=created_at', 'page[size]=10&page[after]=bogus']) {
        const response = await t.request('GET', `/acme/api/v2/tickets.json?${query}`);
        expect(response.status, query).toBe(400);
        expect(response.json.errors[0].code).toBe('InvalidPaginationParameter');
      }
    });

    it('applies to users, organizations, satisfaction ratings and ticket metrics too', async () => {
      for (const resource of ['users', 'organizations', 'satisfaction_ratings', 'ticket_metrics']) {
        const pages = await walkCursor(`/acme/api/v2/${resource}.json?page[size]=40`);
        const ids = pages.flatMap((page) => page[resource].map((x: Page) => x.id));
        expect(new Set(ids).size, resource).toBe(ids.length);
        const offset = await t.request('GET', `/acme/api/v2/${resource}.json?per_page=1`);
        expect(offset.json.count, resource).toBe(ids.length);
      }
    });
  });
});
