/** Numbers as the chat's replies write them: counts with their noun, shares as percents, scores rounded. */

export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
/** A missing share is "n/a", never 0%: no ratings is not a bad rating. */
export const percent = (share: number | null) => (share === null ? 'n/a' : `${Math.round(share * 100)}%`);
export const round = (n: number | null) => (n === null ? null : Math.round(n));
