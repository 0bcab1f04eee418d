import { describe, expect, it } from 'vitest';
import type { MappingResult } from '../domain/mapping.ts';
import { DEFAULT_OBJECTS, applyInverse, applyMapping, defaultMapping, invertMapping, listDefaultMappings, validateMapping } from './index.ts';

/** Sample records follow each provider's documented response shapes (see /work/shared/providers.md). */

function mapped(provider: string, object: string, record: unknown, vars?: Record<string, unknown>): MappingResult {
  const mapping = defaultMapping(provider, object);
  if (!mapping) throw new Error(`no default mapping for ${provider}/${object}`);
  const result = applyMapping(mapping, record, { defaultRegion: 'US', timeZone: 'UTC', ...(vars ? { vars } : {}) });
  expect(result.errors).toEqual([]);
  expect(result.failed).toBe(false);
  return result;
}

function edges(result: MappingResult): string[] {
  return result.relationships.map((r) => `${r.from.entityType}:${r.from.externalId} -${r.kind}-> ${r.to.entityType}:${r.to.object}/${r.to.externalId}`);
}

describe('default mappings', () => {
  it('exist for every provider object the platform syncs, and all validate', () => {
    expect(DEFAULT_OBJECTS).toEqual({
      salesforce: ['Account', 'Contact', 'Opportunity'],
      notion: ['page', 'contact', 'task'],
      slack: ['user', 'channel', 'message'],
      github: ['repository', 'issue', 'issue_comment'],
      google: ['contact', 'event', 'file'],
    });
    for (const mapping of listDefaultMappings()) expect(validateMapping(mapping), `${mapping.source.provider}/${mapping.source.object}`).toEqual([]);
  });

  it('are found by forgiving object names and are fresh copies', () => {
    expect(defaultMapping('salesforce', 'contacts')?.source.object).toBe('Contact');
    expect(defaultMapping('Salesforce', 'opportunities')?.source.object).toBe('Opportunity');
    expect(defaultMapping('github', 'pull_requests')?.source.object).toBe('issue');
    expect(defaultMapping('github', 'issue-comments')?.source.object).toBe('issue_comment');
    expect(defaultMapping('github', 'repos')?.source.object).toBe('repository');
    expect(defaultMapping('slack', 'conversations')?.source.object).toBe('channel');
    expect(defaultMapping('google', 'people')?.source.object).toBe('contact');
    expect(defaultMapping('google', 'calendar_events')?.source.object).toBe('event');
    expect(defaultMapping('notion', 'database_pages')?.source.object).toBe('page');
    expect(defaultMapping('salesforce', 'Lead')).toBeNull();
    const a = defaultMapping('salesforce', 'Contact');
    (a as { version: number }).version = 99;
    expect(defaultMapping('salesforce', 'Contact')?.version).toBe(1);
  });

  describe('salesforce', () => {
    const attributes = (type: string, id: string) => ({ type, url: `/services/data/v60.0/sobjects/${type}/${id}` });

    it('maps a Contact to a person working at its Account', () => {
      const r = mapped('salesforce', 'Contact', {
        attributes: attributes('Contact', '003Dn00000A1b2cIAB'),
        Id: '003Dn00000A1b2cIAB',
        IsDeleted: false,
        AccountId: '001Dn00000Z9y8xIAB',
        Account: { attributes: attributes('Account', '001Dn00000Z9y8xIAB'), Name: 'Edge Communications' },
        Salutation: 'Ms.',
        FirstName: 'Rose',
        LastName: 'Gonzalez',
        Name: 'Rose Gonzalez',
        Title: 'SVP, Procurement',
        Department: 'Procurement',
        Email: 'Rose@Edge.com',
        Phone: '(512) 757-6000',
        MobilePhone: null,
        MailingCity: 'Austin',
        MailingCountry: 'United States',
        LeadSource: 'Web',
        Customer_Tier__c: 'Gold',
        CreatedDate: '2024-01-15T10:30:00.000+0000',
        LastModifiedDate: '2024-02-01T08:00:00.000+0000',
        SystemModstamp: '2024-02-01T08:00:00.000+0000',
      });
      expect(r.entities[0]).toMatchObject({
        entityType: 'person',
        object: 'Contact',
        externalId: '003Dn00000A1b2cIAB',
        remoteVersion: '2024-02-01T08:00:00.000+0000',
        deleted: false,
        fields: {
          name: 'Rose Gonzalez',
          givenName: 'Rose',
          familyName: 'Gonzalez',
          email: 'rose@edge.com',
          phone: '+15127576000',
          mobilePhone: null,
          country: 'US',
          organizationName: 'Edge Communications',
          updatedAt: '2024-02-01T08:00:00.000Z',
        },
      });
      expect(r.entities[1]).toMatchObject({ entityType: 'organization', object: 'Account', externalId: '001Dn00000Z9y8xIAB', fields: { name: 'Edge Communications' } });
      expect(edges(r)).toEqual(['person:003Dn00000A1b2cIAB -works_at-> organization:Account/001Dn00000Z9y8xIAB']);
    });

    it('pushes a Contact back through FirstName/LastName, never through computed or parent fields', () => {
      const mapping = defaultMapping('salesforce', 'Contact');
      if (!mapping) throw new Error('missing');
      const { patch, notWritable } = applyInverse(mapping, { givenName: 'Rosa', email: 'rosa@edge.com', country: 'DE', name: 'X Y', organizationName: 'Other', updatedAt: 'now' });
      expect(patch).toEqual({ FirstName: 'Rosa', Email: 'rosa@edge.com', MailingCountry: 'Germany' });
      expect(notWritable.map((n) => n.field).sort()).toEqual(['name', 'organizationName', 'updatedAt']);
    });

    it('maps an Account to an organization with its domain', () => {
      const r = mapped('salesforce', 'Account', {
        attributes: attributes('Account', '001Dn00000Z9y8xIAB'),
        Id: '001Dn00000Z9y8xIAB',
        IsDeleted: false,
        Name: 'Edge Communications',
        Type: 'Customer - Direct',
        Industry: 'Technology',
        Website: 'http://www.edgecomm.com',
        Phone: '(512) 757-6000',
        BillingCity: 'Austin',
        BillingCountry: 'USA',
        NumberOfEmployees: 1000,
        AnnualRevenue: 139000000,
        Description: null,
        Customer_Tier__c: 'Platinum',
        OwnerId: '005Dn000001AbCdIAK',
        ParentId: null,
        SystemModstamp: '2024-02-01T08:00:00.000+0000',
      });
      expect(r.entities).toHaveLength(1);
      expect(r.entities[0]?.fields).toMatchObject({
        name: 'Edge Communications',
        website: 'http://www.edgecomm.com',
        domain: 'edgecomm.com',
        phone: '+15127576000',
        employees: 1000,
        annualRevenue: 139000000,
        country: 'US',
        tier: 'Platinum',
      });
      expect(r.relationships).toEqual([]);
    });

    it('maps an Opportunity to a deal linked to its account and contact', () => {
      const r = mapped('salesforce', 'Opportunity', {
        attributes: attributes('Opportunity', '006Dn000004XyZaIAK'),
        Id: '006Dn000004XyZaIAK',
        IsDeleted: false,
        AccountId: '001Dn00000Z9y8xIAB',
        ContactId: '003Dn00000A1b2cIAB',
        Name: 'Edge Emergency Generator',
        StageName: 'Closed Won',
        CloseDate: '2024-03-31',
        Amount: 75000,
        Probability: 100,
        IsClosed: true,
        IsWon: true,
        SystemModstamp: '2024-03-31T12:00:00.000+0000',
      });
      expect(r.entities[0]?.fields).toMatchObject({ name: 'Edge Emergency Generator', amount: 75000, stage: 'Closed Won', status: 'won', closeDate: '2024-03-31', probability: 100, isWon: true });
      expect(edges(r)).toEqual([
        'deal:006Dn000004XyZaIAK -belongs_to-> organization:Account/001Dn00000Z9y8xIAB',
        'deal:006Dn000004XyZaIAK -has_contact-> person:Contact/003Dn00000A1b2cIAB',
      ]);
    });
  });

  describe('notion', () => {
    const text = (s: string) => [{ type: 'text', text: { content: s, link: null }, annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' }, plain_text: s, href: null }];

    it('maps a database page generically, every property by its type', () => {
      const r = mapped('notion', 'page', {
        object: 'page',
        id: '59833787-2cf9-4fdf-8782-e53db20768a5',
        created_time: '2022-03-01T19:05:00.000Z',
        last_edited_time: '2022-07-06T20:25:00.000Z',
        created_by: { object: 'user', id: 'ee5f0f84-409a-440f-983a-a5315961c6e4' },
        last_edited_by: { object: 'user', id: '0c3e9826-b8f7-4f73-927d-2caaf86f1103' },
        cover: null,
        icon: { type: 'emoji', emoji: '🐞' },
        parent: { type: 'database_id', database_id: 'd9824bdc-8445-4327-be8b-5b47500af6ce' },
        archived: false,
        in_trash: false,
        properties: {
          'Store availability': { id: '%3AUPp', type: 'multi_select', multi_select: [{ id: 't|O@', name: 'Gus', color: 'purple' }] },
          'Food group': { id: 'A%40Hk', type: 'select', select: { id: '5e8e7e8f', name: '🥦 Vegetable', color: 'green' } },
          Price: { id: 'BJXS', type: 'number', number: 2.5 },
          'Responsible Person': {
            id: 'Iowm',
            type: 'people',
            people: [{ object: 'user', id: 'cbfe3c6e-71cf-4cd3-b6e7-02f38f371bcc', name: 'Avocado Lovelace', avatar_url: null, type: 'person', person: { email: 'Avo@Example.org' } }],
          },
          Contact: { id: 'em', type: 'email', email: 'supplier@farm.example' },
          'Last ordered': { id: 'Jsfb', type: 'date', date: { start: '2022-02-22', end: null, time_zone: null } },
          'Cost of next trip': { id: 'WOd%3B', type: 'formula', formula: { type: 'number', number: 0 } },
          Recipes: { id: 'YfIu', type: 'relation', relation: [{ id: '90eeeed8-2cdd-4af4-9cc1-3d24aff5f63c' }], has_more: false },
          Description: { id: '_Tc_', type: 'rich_text', rich_text: text('A dark green leafy vegetable') },
          'In stock': { id: '%7B%3E%3A', type: 'checkbox', checkbox: true },
          Status: { id: 'st', type: 'status', status: { id: 's1', name: 'Done', color: 'green' } },
          Photo: { id: 'ph', type: 'url', url: 'https://example.com/kale.png' },
          Name: { id: 'title', type: 'title', title: text('Tuscan kale') },
        },
        url: 'https://www.notion.so/Tuscan-kale-598337872cf94fdf8782e53db20768a5',
        public_url: null,
      });
      expect(r.entities.map((e) => [e.entityType, e.object, e.externalId])).toEqual([
        ['document', 'page', '59833787-2cf9-4fdf-8782-e53db20768a5'],
        ['person', 'user', 'cbfe3c6e-71cf-4cd3-b6e7-02f38f371bcc'],
      ]);
      expect(r.entities[1]?.fields).toEqual({ name: 'Avocado Lovelace', email: 'avo@example.org', avatarUrl: null, isBot: false });
      expect(edges(r)).toEqual(['document:59833787-2cf9-4fdf-8782-e53db20768a5 -assigned_to-> person:user/cbfe3c6e-71cf-4cd3-b6e7-02f38f371bcc']);
      expect(r.entities[0]).toMatchObject({
        entityType: 'document',
        object: 'page',
        externalId: '59833787-2cf9-4fdf-8782-e53db20768a5',
        remoteVersion: '2022-07-06T20:25:00.000Z',
        deleted: false,
        fields: {
          title: 'Tuscan kale',
          url: 'https://www.notion.so/Tuscan-kale-598337872cf94fdf8782e53db20768a5',
          icon: '🐞',
          databaseId: 'd9824bdc-8445-4327-be8b-5b47500af6ce',
          archived: false,
          createdBy: 'ee5f0f84-409a-440f-983a-a5315961c6e4',
          email: 'supplier@farm.example',
          status: 'Done',
          tags: ['Gus'],
          date: '2022-02-22',
          link: 'https://example.com/kale.png',
          properties: {
            'Store availability': ['Gus'],
            'Food group': '🥦 Vegetable',
            Price: 2.5,
            'Responsible Person': ['cbfe3c6e-71cf-4cd3-b6e7-02f38f371bcc'],
            Contact: 'supplier@farm.example',
            'Last ordered': '2022-02-22',
            'Cost of next trip': 0,
            Recipes: ['90eeeed8-2cdd-4af4-9cc1-3d24aff5f63c'],
            Description: 'A dark green leafy vegetable',
            'In stock': true,
            Status: 'Done',
            Photo: 'https://example.com/kale.png',
            Name: 'Tuscan kale',
          },
        },
      });
    });

    const page = (id: string, properties: Record<string, unknown>) => ({
      object: 'page',
      id,
      created_time: '2024-01-01T00:00:00.000Z',
      last_edited_time: '2024-01-02T00:00:00.000Z',
      parent: { type: 'data_source_id', data_source_id: 'ds1', database_id: 'db1' },
      archived: false,
      in_trash: false,
      url: `https://www.notion.so/${id}`,
      properties,
    });

    it('maps a contacts database page to a person, with owner and tasks', () => {
      const r = mapped('notion', 'contacts', page('c1', {
        Name: { id: 'title', type: 'title', title: text('Ada King Lovelace') },
        Email: { id: 'e', type: 'email', email: 'ADA@Engines.example' },
        Phone: { id: 'p', type: 'phone_number', phone_number: '+44 20 7946 0958' },
        Company: { id: 'c', type: 'rich_text', rich_text: text('Analytical Engines') },
        'Job title': { id: 'j', type: 'rich_text', rich_text: [] },
        Stage: { id: 's', type: 'select', select: { id: 'x', name: 'Customer', color: 'green' } },
        Tags: { id: 't', type: 'multi_select', multi_select: [{ id: 'v', name: 'VIP', color: 'red' }] },
        Owner: { id: 'o', type: 'people', people: [{ object: 'user', id: 'u1', name: 'Charles', type: 'person', person: { email: 'charles@engines.example' } }] },
        Tasks: { id: 'r', type: 'relation', relation: [{ id: 'task1' }, { id: 'task2' }], has_more: false },
        ID: { id: 'i', type: 'unique_id', unique_id: { prefix: 'CON', number: 12 } },
      }));
      expect(r.entities[0]).toMatchObject({
        entityType: 'person',
        object: 'contact',
        externalId: 'c1',
        fields: { name: 'Ada King Lovelace', givenName: 'Ada King', familyName: 'Lovelace', email: 'ada@engines.example', phone: '+442079460958', organizationName: 'Analytical Engines', title: null, stage: 'Customer', tags: ['VIP'] },
      });
      expect(r.entities[0]?.fields.properties).toMatchObject({ ID: 'CON-12' });
      expect(r.entities[1]).toMatchObject({ entityType: 'person', object: 'user', externalId: 'u1', fields: { email: 'charles@engines.example' } });
      expect(edges(r)).toEqual(['person:c1 -owned_by-> person:user/u1', 'person:c1 -has_task-> issue:task/task1', 'person:c1 -has_task-> issue:task/task2']);
      const mapping = defaultMapping('notion', 'contact');
      if (!mapping) throw new Error('missing');
      expect(applyInverse(mapping, { name: 'Ada Lovelace', email: 'ada@x.example', stage: 'Churned', givenName: 'Ada' })).toEqual({
        patch: {
          properties: {
            Name: { title: [{ type: 'text', text: { content: 'Ada Lovelace' } }] },
            Email: { email: 'ada@x.example' },
            Stage: { select: { name: 'Churned' } },
          },
        },
        notWritable: [{ field: 'givenName', reason: 'marked writable: false in the mapping' }],
        errors: [],
      });
    });

    it('maps a tasks database page to an issue about its contact, assigned to a user', () => {
      const r = mapped('notion', 'task', page('t1', {
        Task: { id: 'title', type: 'title', title: text('Send the proposal') },
        Done: { id: 'd', type: 'checkbox', checkbox: false },
        Due: { id: 'due', type: 'date', date: { start: '2024-06-01', end: null, time_zone: null } },
        Assignee: { id: 'a', type: 'people', people: [{ object: 'user', id: 'u1' }] },
        Contact: { id: 'c', type: 'relation', relation: [{ id: 'c1' }], has_more: false },
        Priority: { id: 'p', type: 'select', select: { id: 'h', name: 'High', color: 'red' } },
        Status: { id: 's', type: 'status', status: { id: 'ip', name: 'In progress', color: 'blue' } },
      }));
      expect(r.entities[0]).toMatchObject({ entityType: 'issue', fields: { title: 'Send the proposal', done: false, dueDate: '2024-06-01', priority: 'High', status: 'In progress', kind: 'task' } });
      expect(edges(r)).toEqual(['issue:t1 -assigned_to-> person:user/u1', 'issue:t1 -about-> person:contact/c1']);
    });

    it('marks a trashed page deleted', () => {
      const r = mapped('notion', 'page', { object: 'page', id: 'p1', in_trash: true, archived: true, properties: {} });
      expect(r.entities[0]?.deleted).toBe(true);
    });
  });

  describe('slack', () => {
    it('maps a users.list member to a person', () => {
      const r = mapped('slack', 'users', {
        id: 'W012A3CDE',
        team_id: 'T012AB3C4',
        name: 'spengler',
        deleted: false,
        color: '9f69e7',
        real_name: 'Egon Spengler',
        tz: 'America/Los_Angeles',
        tz_label: 'Pacific Daylight Time',
        tz_offset: -25200,
        profile: {
          avatar_hash: 'ge3b51ca72de',
          status_text: 'Print is dead',
          status_emoji: ':books:',
          real_name: 'Egon Spengler',
          display_name: 'spengler',
          real_name_normalized: 'Egon Spengler',
          display_name_normalized: 'spengler',
          email: 'spengler@ghostbusters.example.com',
          first_name: 'Egon',
          last_name: 'Spengler',
          title: 'Ghostbuster',
          phone: '',
          image_192: 'https://.../e3b51ca72dee4ef87916ae2b9240df50.jpg',
          team: 'T012AB3C4',
        },
        is_admin: true,
        is_owner: false,
        is_bot: false,
        updated: 1502138686,
        is_app_user: false,
        has_2fa: false,
      });
      expect(r.entities[0]).toMatchObject({
        entityType: 'person',
        object: 'user',
        externalId: 'W012A3CDE',
        remoteVersion: '1502138686',
        fields: { name: 'Egon Spengler', givenName: 'Egon', familyName: 'Spengler', email: 'spengler@ghostbusters.example.com', phone: null, handle: 'spengler', timeZone: 'America/Los_Angeles', isAdmin: true, deleted: false, updatedAt: '2017-08-07T20:44:46.000Z' },
      });
    });

    it('maps a conversations.list channel with its creator', () => {
      const r = mapped('slack', 'channel', {
        id: 'C012AB3CD',
        name: 'general',
        is_channel: true,
        is_group: false,
        is_im: false,
        created: 1449252889,
        creator: 'U012A3CDE',
        is_archived: false,
        is_general: true,
        name_normalized: 'general',
        is_shared: false,
        is_private: false,
        is_member: true,
        topic: { value: 'Company-wide announcements and work-based matters', creator: '', last_set: 0 },
        purpose: { value: 'This channel is for team-wide communication and announcements.', creator: '', last_set: 0 },
        num_members: 4,
      });
      expect(r.entities[0]?.fields).toMatchObject({ name: 'general', topic: 'Company-wide announcements and work-based matters', isPrivate: false, memberCount: 4, createdAt: '2015-12-04T18:14:49.000Z' });
      expect(edges(r)).toEqual(['channel:C012AB3CD -created_by-> person:user/U012A3CDE']);
    });

    it('maps a message to a message in its channel by its author', () => {
      const r = mapped('slack', 'message', {
        type: 'message',
        channel: 'C012AB3CD',
        user: 'U012AB3CDE',
        text: 'Hey <@U0G9QF9C6|ray>, the *grant* is in &lt;#C01|x&gt; <https://example.com|here>',
        ts: '1512085950.000216',
        edited: { user: 'U012AB3CDE', ts: '1512085960.000000' },
        reactions: [{ name: 'tada', users: ['U0G9QF9C6'], count: 1 }],
      });
      expect(r.entities[0]).toMatchObject({
        entityType: 'message',
        externalId: 'C012AB3CD:1512085950.000216',
        remoteVersion: '1512085960.000000',
        fields: { text: 'Hey @ray, the grant is in <#C01|x> here', sentAt: '2017-11-30T23:52:30.000Z', userId: 'U012AB3CDE', reactions: ['tada'], channelId: 'C012AB3CD' },
      });
      expect(edges(r)).toEqual([
        'message:C012AB3CD:1512085950.000216 -posted_in-> channel:channel/C012AB3CD',
        'message:C012AB3CD:1512085950.000216 -authored_by-> person:user/U012AB3CDE',
      ]);
      const mapping = defaultMapping('slack', 'message');
      if (!mapping) throw new Error('missing');
      expect(applyInverse(mapping, { text: 'a < b', sentAt: 'x' })).toEqual({ patch: { text: 'a &lt; b' }, notWritable: [{ field: 'sentAt', reason: 'marked writable: false in the mapping' }], errors: [] });
    });

    it('refuses a message without its channel rather than inventing an id', () => {
      const mapping = defaultMapping('slack', 'message');
      if (!mapping) throw new Error('missing');
      const r = applyMapping(mapping, { type: 'message', user: 'U1', text: 'hi', ts: '1512085950.000216' });
      expect(r.failed).toBe(true);
      expect(r.errors[0]?.field).toBe('message.$key');
    });
  });

  describe('github', () => {
    const octocat = {
      login: 'octocat',
      id: 1,
      node_id: 'MDQ6VXNlcjE=',
      avatar_url: 'https://github.com/images/error/octocat_happy.gif',
      html_url: 'https://github.com/octocat',
      type: 'User',
      site_admin: false,
    };

    it('maps a repository with its owner', () => {
      const r = mapped('github', 'repository', {
        id: 1296269,
        node_id: 'MDEwOlJlcG9zaXRvcnkxMjk2MjY5',
        name: 'Hello-World',
        full_name: 'octocat/Hello-World',
        owner: octocat,
        private: false,
        html_url: 'https://github.com/octocat/Hello-World',
        description: 'This your first repo!',
        fork: false,
        url: 'https://api.github.com/repos/octocat/Hello-World',
        homepage: 'https://github.com',
        language: null,
        forks_count: 9,
        stargazers_count: 80,
        open_issues_count: 0,
        default_branch: 'master',
        topics: ['octocat', 'atom', 'electron', 'api'],
        archived: false,
        pushed_at: '2011-01-26T19:06:43Z',
        created_at: '2011-01-26T19:01:12Z',
        updated_at: '2011-01-26T19:14:43Z',
      });
      expect(r.entities.map((e) => [e.entityType, e.object, e.externalId])).toEqual([
        ['repository', 'repository', 'https://api.github.com/repos/octocat/Hello-World'],
        ['person', 'user', '1'],
      ]);
      expect(r.entities[0]?.fields).toMatchObject({ githubId: 1296269, name: 'Hello-World', fullName: 'octocat/Hello-World', stars: 80, defaultBranch: 'master', topics: ['octocat', 'atom', 'electron', 'api'] });
      expect(r.entities[1]?.fields).toMatchObject({ handle: 'octocat', isBot: false });
      expect(edges(r)).toEqual(['repository:https://api.github.com/repos/octocat/Hello-World -owned_by-> person:user/1']);
    });

    it('maps an organisation-owned repository to an organization owner', () => {
      const r = mapped('github', 'repository', {
        id: 2,
        name: 'docs',
        full_name: 'github/docs',
        url: 'https://api.github.com/repos/github/docs',
        owner: { login: 'github', id: 9919, type: 'Organization', html_url: 'https://github.com/github' },
      });
      expect(r.entities.map((e) => [e.entityType, e.object, e.externalId])).toEqual([
        ['repository', 'repository', 'https://api.github.com/repos/github/docs'],
        ['organization', 'organization', '9919'],
      ]);
      expect(edges(r)).toEqual(['repository:https://api.github.com/repos/github/docs -owned_by-> organization:organization/9919']);
    });

    const issue = {
      id: 1,
      node_id: 'MDU6SXNzdWUx',
      url: 'https://api.github.com/repos/octocat/Hello-World/issues/1347',
      repository_url: 'https://api.github.com/repos/octocat/Hello-World',
      html_url: 'https://github.com/octocat/Hello-World/issues/1347',
      number: 1347,
      state: 'open',
      state_reason: null,
      title: 'Found a bug',
      body: "I'm having a problem with **this**.",
      user: octocat,
      labels: [{ id: 208045946, name: 'bug', color: 'f29513', default: true }],
      assignee: { ...octocat, login: 'hubot', id: 2 },
      assignees: [{ ...octocat, login: 'hubot', id: 2 }],
      milestone: { title: 'v1.0', number: 1 },
      locked: false,
      comments: 0,
      closed_at: null,
      created_at: '2011-04-22T13:33:48Z',
      updated_at: '2011-04-22T13:33:48Z',
      author_association: 'COLLABORATOR',
    };

    it('maps an issue with its repository, author and assignees', () => {
      const r = mapped('github', 'issue', issue);
      expect(r.entities.map((e) => [e.entityType, e.object, e.externalId])).toEqual([
        ['issue', 'issue', 'https://api.github.com/repos/octocat/Hello-World/issues/1347'],
        ['person', 'user', '1'],
        ['person', 'user', '2'],
      ]);
      expect(r.entities[0]?.fields).toMatchObject({ number: 1347, title: 'Found a bug', text: "I'm having a problem with this.", kind: 'issue', isPullRequest: false, labels: ['bug'], assignees: ['hubot'], milestone: 'v1.0', state: 'open' });
      expect(edges(r)).toEqual([
        'issue:https://api.github.com/repos/octocat/Hello-World/issues/1347 -in_repository-> repository:repository/https://api.github.com/repos/octocat/Hello-World',
        'issue:https://api.github.com/repos/octocat/Hello-World/issues/1347 -authored_by-> person:user/1',
        'issue:https://api.github.com/repos/octocat/Hello-World/issues/1347 -assigned_to-> person:user/2',
      ]);
    });

    it('tells pull requests apart from issues', () => {
      const r = mapped('github', 'issue', {
        ...issue,
        pull_request: { url: 'https://api.github.com/repos/octocat/Hello-World/pulls/1347', html_url: 'https://github.com/octocat/Hello-World/pull/1347', merged_at: '2011-04-23T10:00:00Z' },
      });
      expect(r.entities[0]?.fields).toMatchObject({ kind: 'pull_request', isPullRequest: true, merged: true });
    });

    it('pushes an issue back as title, body, state and label names', () => {
      const mapping = defaultMapping('github', 'issue');
      if (!mapping) throw new Error('missing');
      const { patch, notWritable } = applyInverse(mapping, { title: 'Found two bugs', state: 'closed', stateReason: 'completed', labels: ['bug', 'p1'], kind: 'issue' });
      expect(patch).toEqual({ title: 'Found two bugs', state: 'closed', state_reason: 'completed', labels: [{ name: 'bug' }, { name: 'p1' }] });
      expect(notWritable).toEqual([{ field: 'kind', reason: 'marked writable: false in the mapping' }]);
      expect(invertMapping(mapping).writable.map((w) => w.field)).toEqual(['title', 'body', 'state', 'stateReason', 'labels', 'locked']);
    });

    it('maps an issue comment onto its issue and author', () => {
      const r = mapped('github', 'issue_comment', {
        id: 1,
        node_id: 'MDEyOklzc3VlQ29tbWVudDE=',
        url: 'https://api.github.com/repos/octocat/Hello-World/issues/comments/1',
        html_url: 'https://github.com/octocat/Hello-World/issues/1347#issuecomment-1',
        body: 'Me too',
        user: octocat,
        created_at: '2011-04-14T16:00:49Z',
        updated_at: '2011-04-14T16:00:49Z',
        issue_url: 'https://api.github.com/repos/octocat/Hello-World/issues/1347',
        author_association: 'COLLABORATOR',
      });
      expect(r.entities[0]).toMatchObject({ entityType: 'comment', fields: { body: 'Me too', authorLogin: 'octocat', createdAt: '2011-04-14T16:00:49.000Z' } });
      expect(edges(r)).toEqual([
        'comment:https://api.github.com/repos/octocat/Hello-World/issues/comments/1 -on_issue-> issue:issue/https://api.github.com/repos/octocat/Hello-World/issues/1347',
        'comment:https://api.github.com/repos/octocat/Hello-World/issues/comments/1 -authored_by-> person:user/1',
      ]);
    });
  });

  describe('google', () => {
    it('maps a People connection through its primary entries', () => {
      const r = mapped('google', 'contact', {
        resourceName: 'people/c7142462727258425368',
        etag: '%EgUBAi43PRoEAQIFByIMR0xKWk1FUk5ZcjQ9',
        names: [{ metadata: { primary: true, source: { type: 'CONTACT', id: '6319ba10' } }, displayName: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada', displayNameLastFirst: 'Lovelace, Ada', unstructuredName: 'Ada Lovelace' }],
        emailAddresses: [
          { metadata: { source: { type: 'CONTACT', id: '6319ba10' } }, value: 'ada@home.example', type: 'home' },
          { metadata: { primary: true, source: { type: 'CONTACT', id: '6319ba10' } }, value: 'Ada@Work.Example', type: 'work', formattedType: 'Work' },
        ],
        phoneNumbers: [{ metadata: { primary: true }, value: '020 7946 0958', canonicalForm: '+442079460958', type: 'mobile' }],
        organizations: [{ metadata: { primary: true }, name: 'Analytical Engines', title: 'Programmer' }],
        addresses: [{ metadata: { primary: true }, city: 'London', countryCode: 'GB', formattedValue: 'London, UK' }],
        biographies: [{ metadata: { primary: true }, value: 'First programmer', contentType: 'TEXT_PLAIN' }],
      });
      expect(r.entities[0]).toMatchObject({
        entityType: 'person',
        object: 'contact',
        externalId: 'people/c7142462727258425368',
        remoteVersion: '%EgUBAi43PRoEAQIFByIMR0xKWk1FUk5ZcjQ9',
        fields: {
          givenName: 'Ada',
          familyName: 'Lovelace',
          name: 'Ada Lovelace',
          email: 'ada@work.example',
          emails: ['ada@home.example', 'Ada@Work.Example'],
          organizationName: 'Analytical Engines',
          title: 'Programmer',
          country: 'GB',
          city: 'London',
          notes: 'First programmer',
          phone: '+442079460958',
        },
      });
    });

    it('reads a UK number without its country code in the region the context gives', () => {
      const mapping = defaultMapping('google', 'contact');
      if (!mapping) throw new Error('missing');
      const record = { resourceName: 'people/c1', phoneNumbers: [{ value: '020 7946 0958' }] };
      expect(applyMapping(mapping, record, { defaultRegion: 'GB' }).entities[0]?.fields.phone).toBe('+442079460958');
      expect(applyMapping(mapping, record, { defaultRegion: 'US' }).errors.map((e) => e.field)).toEqual(['person.phone']);
    });

    it('falls back to the first entry when none is primary, and marks deleted people', () => {
      const r = mapped('google', 'contact', { resourceName: 'people/c2', metadata: { deleted: true }, emailAddresses: [{ value: 'x@y.org' }] });
      expect(r.entities[0]?.fields.email).toBe('x@y.org');
      expect(r.entities[0]?.deleted).toBe(true);
    });

    it('pushes names and notes back as People fields', () => {
      const mapping = defaultMapping('google', 'contact');
      if (!mapping) throw new Error('missing');
      expect(applyInverse(mapping, { givenName: 'Augusta', familyName: 'King', notes: 'Countess' }).patch).toEqual({
        names: [{ givenName: 'Augusta', familyName: 'King' }],
        biographies: [{ value: 'Countess' }],
      });
    });

    it('maps a Calendar event with its organizer and attendee persons', () => {
      const r = mapped('google', 'event', {
        kind: 'calendar#event',
        etag: '"3181161784712000"',
        id: 'evt_4gq3u0b1',
        status: 'confirmed',
        htmlLink: 'https://www.google.com/calendar/event?eid=abc',
        created: '2024-05-01T10:00:00.000Z',
        updated: '2024-05-02T10:00:00.000Z',
        summary: 'Quarterly review',
        description: '<p>Agenda:<br>1. Numbers &amp; plans</p>',
        location: 'Room 1',
        creator: { email: 'ada@work.example' },
        organizer: { email: 'Ada@Work.Example', displayName: 'Ada Lovelace', self: true },
        start: { dateTime: '2024-05-10T09:00:00-07:00', timeZone: 'America/Los_Angeles' },
        end: { dateTime: '2024-05-10T10:00:00-07:00', timeZone: 'America/Los_Angeles' },
        iCalUID: 'evt_4gq3u0b1@google.com',
        attendees: [
          { email: 'ada@work.example', displayName: 'Ada Lovelace', organizer: true, self: true, responseStatus: 'accepted' },
          { email: 'charles@engine.example', displayName: 'Charles Babbage', responseStatus: 'needsAction' },
          { email: 'c_room1@resource.calendar.google.com', displayName: 'Room 1', resource: true, responseStatus: 'accepted' },
        ],
      });
      expect(r.entities.map((e) => [e.entityType, e.object, e.externalId])).toEqual([
        ['event', 'event', 'evt_4gq3u0b1'],
        ['person', 'email', 'ada@work.example'],
        ['person', 'email', 'charles@engine.example'],
      ]);
      expect(r.entities[0]?.fields).toMatchObject({
        title: 'Quarterly review',
        description: 'Agenda:\n1. Numbers & plans',
        start: '2024-05-10T09:00:00-07:00',
        startsAt: '2024-05-10T16:00:00.000Z',
        endsAt: '2024-05-10T17:00:00.000Z',
        allDay: false,
        organizerEmail: 'ada@work.example',
      });
      expect(r.entities[2]?.fields).toEqual({ email: 'charles@engine.example', name: 'Charles Babbage' });
      expect(edges(r)).toEqual([
        'event:evt_4gq3u0b1 -attended_by-> person:email/ada@work.example',
        'event:evt_4gq3u0b1 -attended_by-> person:email/charles@engine.example',
        'event:evt_4gq3u0b1 -organized_by-> person:email/ada@work.example',
      ]);
    });

    it('keeps an all-day event as dates and marks a cancelled one deleted', () => {
      const r = mapped('google', 'event', { id: 'e2', status: 'cancelled', start: { date: '2024-12-25' }, end: { date: '2024-12-26' } });
      expect(r.entities[0]).toMatchObject({ deleted: true, fields: { start: '2024-12-25', end: '2024-12-26', allDay: true } });
    });

    it('maps a Drive file with its owners', () => {
      const r = mapped('google', 'file', {
        kind: 'drive#file',
        id: '1ZdR3L3qP4Bkq8noWLJHSr_iBau0DNT4Kli4SxNc2YEo',
        name: 'Q2 plan',
        mimeType: 'application/vnd.google-apps.document',
        starred: false,
        trashed: false,
        parents: ['0AOQf4uXw1abcUk9PVA'],
        version: '42',
        webViewLink: 'https://docs.google.com/document/d/1ZdR3L3qP4Bkq8noWLJHSr_iBau0DNT4Kli4SxNc2YEo/edit',
        createdTime: '2024-04-01T09:00:00.000Z',
        modifiedTime: '2024-04-02T09:00:00.000Z',
        owners: [{ kind: 'drive#user', displayName: 'Ada Lovelace', emailAddress: 'ada@work.example', me: true, permissionId: '0123' }],
        size: '1024',
      });
      expect(r.entities.map((e) => [e.entityType, e.object, e.externalId, e.remoteVersion])).toEqual([
        ['document', 'file', '1ZdR3L3qP4Bkq8noWLJHSr_iBau0DNT4Kli4SxNc2YEo', '42'],
        ['person', 'email', 'ada@work.example', null],
      ]);
      expect(r.entities[0]?.fields).toMatchObject({ title: 'Q2 plan', isFolder: false, size: 1024, parents: ['0AOQf4uXw1abcUk9PVA'], ownerEmails: ['ada@work.example'] });
      expect(edges(r)).toEqual(['document:1ZdR3L3qP4Bkq8noWLJHSr_iBau0DNT4Kli4SxNc2YEo -owned_by-> person:email/ada@work.example']);
    });
  });
});
