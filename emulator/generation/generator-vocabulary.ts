/** Word lists the data generator draws names, subjects and comments from. */

export const FIRST_NAMES = [
  'Ava', 'Ben', 'Chloe', 'Daniel', 'Emma', 'Felix', 'Grace', 'Hugo', 'Isla', 'Jack', 'Kara', 'Liam',
  'Maya', 'Noah', 'Olivia', 'Paul', 'Quinn', 'Rosa', 'Sam', 'Tara', 'Umar', 'Vera', 'Wen', 'Xavier',
  'Yara', 'Zoe', 'Amir', 'Bea', 'Carlos', 'Dana', 'Elif', 'Farid', 'Gita', 'Hana', 'Ivan', 'Jun',
] as const;

export const LAST_NAMES = [
  'Adams', 'Brown', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ito', 'Jensen', 'Kim',
  'Lopez', 'Martin', 'Nguyen', 'Okafor', 'Patel', 'Quist', 'Rossi', 'Smith', 'Tanaka', 'Ulrich',
  'Varga', 'Weber', 'Xu', 'Young', 'Zimmer', 'Novak', 'Silva', 'Haddad', 'Kowalski',
] as const;

export const COMPANY_WORDS = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Soylent',
  'Cyberdyne', 'Aperture', 'Wonka', 'Pied Piper', 'Gringotts', 'Oscorp', 'Monarch', 'Nakatomi',
  'Massive Dynamic', 'Blue Sun', 'Duff', 'Prestige', 'Sterling', 'Dunder', 'Bluth', 'Krusty',
] as const;

export const COMPANY_SUFFIXES = ['Industries', 'Labs', 'Corp', 'Systems', 'Group', 'Logistics', 'Health', 'Media'] as const;

export const FREE_MAIL_DOMAINS = ['gmail.com', 'outlook.com'] as const;

/** Domains that belong to no organization in the account. */
export const UNKNOWN_DOMAINS = ['freelance-studio.io', 'mailbox.org', 'consultant.net', 'proton.me', 'example.org'] as const;

export const PRODUCT_AREAS = ['billing', 'integrations', 'reporting', 'login', 'mobile_app', 'api'] as const;

export const SUBJECTS: Record<(typeof PRODUCT_AREAS)[number], readonly string[]> = {
  billing: ['Invoice amount looks wrong', 'Charged twice this month', 'How do I change our plan?', 'Refund request'],
  integrations: ['Salesforce sync stopped', 'Webhook deliveries failing', 'Slack integration disconnected', 'CSV import errors'],
  reporting: ['Dashboard shows no data', 'Export to Excel is empty', 'Numbers differ between reports', 'Scheduled report not sent'],
  login: ['Cannot log in', 'Password reset email never arrives', 'SSO login loops back', 'Account locked after update'],
  mobile_app: ['App crashes on startup', 'Push notifications stopped', 'Cannot upload photos from iOS', 'Android app is slow'],
  api: ['API returns 500 errors', 'Rate limit reached unexpectedly', 'Token expired too early', 'Missing field in API response'],
};

export const REQUESTER_LINES = [
  'This started happening this morning for our whole team.',
  'We need this fixed before our board meeting on Friday.',
  'Any update on this? It is blocking us.',
  'Thanks, that worked for some users but not all of them.',
  'I attached the steps to reproduce below.',
  'This is the third time this month we hit this problem.',
] as const;

export const AGENT_LINES = [
  'Thanks for reaching out. Could you send us a screenshot of the error?',
  'We have reproduced the issue and escalated it to our engineering team.',
  'A fix has been deployed. Could you confirm it works on your side?',
  'I have applied a credit to your account for the inconvenience.',
  'Could you try clearing your cache and signing in again?',
  'Following up: we have not heard back, is the issue resolved?',
] as const;

export const INTERNAL_NOTES = [
  'Customer is on the enterprise plan, prioritise.',
  'Linked to known bug, see engineering board.',
  'Checked logs: errors started after the last deploy.',
] as const;

export const GOOD_COMMENTS = ['Quick and helpful, thank you!', 'Great support as always.', 'Solved my problem in minutes.'] as const;
export const BAD_COMMENTS = ['Took far too long to get an answer.', 'The problem is still not fixed.', 'Nobody read my message properly.'] as const;
export const BAD_REASONS = ['The issue took too long to resolve', 'The issue was not resolved', "The agent's knowledge is unsatisfactory"] as const;

export const GROUP_NAMES = ['Support', 'Billing', 'Tier 2'] as const;
