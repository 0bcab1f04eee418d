/**
 * Name, place and phone tables for the people generator. Nicknames are real English
 * diminutives; phone layouts follow each country's numbering plan (mobile ranges that
 * libphonenumber accepts as valid).
 */

export const NICKNAMES: Record<string, string[]> = {
  Robert: ['Bob', 'Rob', 'Bobby'],
  William: ['Bill', 'Will', 'Billy'],
  Elizabeth: ['Liz', 'Beth', 'Lizzie'],
  Richard: ['Rick', 'Rich', 'Dick'],
  James: ['Jim', 'Jimmy'],
  Michael: ['Mike', 'Mick'],
  Jennifer: ['Jen', 'Jenny'],
  Katherine: ['Kate', 'Kathy', 'Katie'],
  Catherine: ['Cathy', 'Cat'],
  Margaret: ['Maggie', 'Peggy', 'Meg'],
  Thomas: ['Tom', 'Tommy'],
  Christopher: ['Chris'],
  Daniel: ['Dan', 'Danny'],
  Matthew: ['Matt'],
  Anthony: ['Tony'],
  Joseph: ['Joe', 'Joey'],
  Charles: ['Charlie', 'Chuck'],
  Edward: ['Ed', 'Eddie', 'Ted'],
  Samuel: ['Sam'],
  Benjamin: ['Ben'],
  Alexander: ['Alex'],
  Jonathan: ['Jon'],
  Nicholas: ['Nick'],
  Patricia: ['Pat', 'Patty', 'Trish'],
  Susan: ['Sue', 'Suzy'],
  Deborah: ['Debbie', 'Deb'],
  Rebecca: ['Becky'],
  Victoria: ['Vicky', 'Tori'],
  Jessica: ['Jess', 'Jessie'],
  Andrew: ['Andy', 'Drew'],
  Timothy: ['Tim'],
  Steven: ['Steve'],
  Stephen: ['Steve'],
  Gregory: ['Greg'],
  Jeffrey: ['Jeff'],
  Kenneth: ['Ken', 'Kenny'],
  Ronald: ['Ron'],
  Donald: ['Don'],
  Lawrence: ['Larry'],
  Raymond: ['Ray'],
  Frederick: ['Fred'],
  Douglas: ['Doug'],
  Peter: ['Pete'],
  Theodore: ['Ted', 'Theo'],
  Zachary: ['Zach'],
  Joshua: ['Josh'],
  Nathaniel: ['Nate', 'Nat'],
  Abigail: ['Abby'],
  Alexandra: ['Alex', 'Sasha'],
  Cynthia: ['Cindy'],
  Kimberly: ['Kim'],
  Pamela: ['Pam'],
  Jacqueline: ['Jackie'],
  Christine: ['Chris', 'Chrissy'],
  Samantha: ['Sam'],
  Barbara: ['Barb'],
  Judith: ['Judy'],
  Melissa: ['Missy', 'Mel'],
  Gabriel: ['Gabe'],
  Vincent: ['Vince'],
  Phillip: ['Phil'],
  Philip: ['Phil'],
  Eleanor: ['Ellie', 'Nora'],
  Florence: ['Flo'],
  Harold: ['Harry', 'Hal'],
  Henry: ['Hank', 'Harry'],
  Jacob: ['Jake'],
  Leonard: ['Leo', 'Len'],
  Madeline: ['Maddie'],
  Natalie: ['Nat'],
  Nancy: ['Nan'],
  Frances: ['Fran'],
  Francis: ['Frank'],
  Gerald: ['Gerry'],
  Valerie: ['Val'],
  Walter: ['Walt'],
  Anthea: ['Thea'],
  Josephine: ['Jo', 'Josie'],
  Dorothy: ['Dot', 'Dottie'],
};

export interface CountryPlan {
  code: string;
  name: string;
  weight: number;
  cities: string[];
  /** Country calling code without '+'. */
  callingCode: string;
  /** Builds the national significant number from random digits. */
  nsn(digit: () => number): string;
  /** National format with trunk prefix, as people type it at home. */
  national(nsn: string): string;
  /** International with spaces. */
  spaced(nsn: string): string;
  tld: string;
}

const d = (digit: () => number, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(digit());
  return s;
};
const nonZero = (digit: () => number) => 2 + (digit() % 8);
const pickOf = <T>(items: T[], digit: () => number) => items[(digit() * 7 + digit()) % items.length] as T;

const nanp = (areas: string[]) => (digit: () => number) => pickOf(areas, digit) + String(nonZero(digit)) + d(digit, 2).replace(/^11$/, '23') + d(digit, 4);

export const COUNTRIES: CountryPlan[] = [
  {
    code: 'US', name: 'United States', weight: 45, tld: 'com', callingCode: '1',
    cities: ['New York', 'San Francisco', 'Austin', 'Chicago', 'Seattle', 'Boston', 'Denver', 'Atlanta', 'Los Angeles', 'Miami'],
    nsn: nanp(['212', '415', '512', '312', '206', '617', '303', '404', '213', '305', '646', '650']),
    national: (n) => `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
    spaced: (n) => `+1 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  },
  {
    code: 'GB', name: 'United Kingdom', weight: 12, tld: 'co.uk', callingCode: '44',
    cities: ['London', 'Manchester', 'Edinburgh', 'Bristol', 'Leeds', 'Cambridge'],
    nsn: (g) => `7${pickOf(['4', '5', '8'], g)}${d(g, 8)}`,
    national: (n) => `0${n.slice(0, 4)} ${n.slice(4)}`,
    spaced: (n) => `+44 ${n.slice(0, 4)} ${n.slice(4)}`,
  },
  {
    code: 'DE', name: 'Germany', weight: 10, tld: 'de', callingCode: '49',
    cities: ['Berlin', 'Munich', 'Hamburg', 'Cologne', 'Frankfurt', 'Stuttgart'],
    nsn: (g) => `${pickOf(['151', '152', '157', '176'], g)}${d(g, 8)}`,
    national: (n) => `0${n.slice(0, 3)} ${n.slice(3)}`,
    spaced: (n) => `+49 ${n.slice(0, 3)} ${n.slice(3)}`,
  },
  {
    code: 'FR', name: 'France', weight: 8, tld: 'fr', callingCode: '33',
    cities: ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nantes', 'Lille'],
    nsn: (g) => `${pickOf(['6', '7'], g)}${d(g, 8)}`,
    national: (n) => `0${n[0]} ${n.slice(1, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}`,
    spaced: (n) => `+33 ${n[0]} ${n.slice(1, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}`,
  },
  {
    code: 'CA', name: 'Canada', weight: 8, tld: 'ca', callingCode: '1',
    cities: ['Toronto', 'Vancouver', 'Montreal', 'Calgary', 'Ottawa'],
    nsn: nanp(['416', '604', '514', '403', '613', '647']),
    national: (n) => `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
    spaced: (n) => `+1 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  },
  {
    code: 'AU', name: 'Australia', weight: 6, tld: 'com.au', callingCode: '61',
    cities: ['Sydney', 'Melbourne', 'Brisbane', 'Perth', 'Adelaide'],
    nsn: (g) => `4${pickOf(['0', '1', '2', '3'], g)}${d(g, 7)}`,
    national: (n) => `0${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
    spaced: (n) => `+61 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  },
  {
    code: 'NL', name: 'Netherlands', weight: 6, tld: 'nl', callingCode: '31',
    cities: ['Amsterdam', 'Rotterdam', 'Utrecht', 'Eindhoven', 'The Hague'],
    nsn: (g) => `6${pickOf(['1', '2', '3', '4', '5'], g)}${d(g, 7)}`,
    national: (n) => `0${n.slice(0, 1)} ${n.slice(1)}`,
    spaced: (n) => `+31 ${n.slice(0, 1)} ${n.slice(1)}`,
  },
  {
    code: 'ES', name: 'Spain', weight: 5, tld: 'es', callingCode: '34',
    cities: ['Madrid', 'Barcelona', 'Valencia', 'Seville', 'Bilbao'],
    nsn: (g) => `6${d(g, 8)}`,
    national: (n) => `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
    spaced: (n) => `+34 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
  },
];

export const COMPANY_SUFFIXES = [
  'Group', 'Labs', 'Systems', 'Industries', 'Partners', 'Holdings', 'Technologies', 'Logistics', 'Analytics', 'Health',
  'Robotics', 'Foods', 'Energy', 'Software', 'Capital', 'Media', 'Networks', 'Bio', 'Works', 'Consulting',
];

export const COMPANY_WORDS = [
  'Acme', 'Northwind', 'Blue Harbor', 'Granite', 'Silverline', 'Brightpath', 'Redwood', 'Summit', 'Ironclad', 'Clearwater',
  'Evergreen', 'Lumen', 'Pinnacle', 'Quartz', 'Riverstone', 'Sable', 'Tidewater', 'Vantage', 'Wildflower', 'Zenith',
  'Aurora', 'Beacon', 'Cobalt', 'Driftwood', 'Ember', 'Falcon', 'Helix', 'Juniper', 'Keystone', 'Lighthouse',
  'Meridian', 'Nimbus', 'Orchid', 'Polaris', 'Radiant', 'Sierra', 'Trident', 'Umbra', 'Vertex', 'Willow',
];

export const PERSONAL_DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'proton.me', 'hotmail.com'];

export const TITLE_LEVELS = ['', '', 'Senior ', 'Lead ', 'Principal ', 'Junior ', 'Staff '];
export const TITLE_ROLES = [
  'Account Executive', 'Software Engineer', 'Product Manager', 'Sales Manager', 'Marketing Manager', 'Data Analyst',
  'Customer Success Manager', 'Solutions Architect', 'Designer', 'Recruiter', 'Controller', 'Operations Manager',
  'Support Engineer', 'DevOps Engineer', 'Engineering Manager', 'Business Analyst', 'Office Manager', 'Legal Counsel',
];
export const EXECUTIVE_TITLES = ['CEO', 'CTO', 'CFO', 'COO', 'VP Sales', 'VP Engineering', 'VP Marketing', 'Head of People'];
