/**
 * An account `make new-account` writes before AWS Organizations created it (id 'pending', lib/organisation.ts): the
 * sandbox plans it with an offline id; a real synth shows it only to the organizations layer, which creates it, and
 * refuses any stack that would carry its made-up id. Also the generic refusal of placeholders `make new-layer` writes.
 */
import { defineLayer } from '../../lib/config';
import { ConfigError } from '../../lib/problems';
import { resolveOrganisation, PENDING_ACCOUNT_ID, sandboxAccountId } from '../../lib/organisation';
import { BaseTfBackend } from '../../layers/base-tf-backend';
import { Cost } from '../../layers/cost';
import { Organizations } from '../../layers/organizations';
import { Security } from '../../layers/security';
import { account, build, REAL, resources, SANDBOX, source, synthStack } from '../helpers';

/** management creates the members; `fresh` is the account nobody has created yet. */
function org(options: { pending?: string[]; costFor?: string; noCreator?: boolean } = {}) {
  const pending = new Set(options.pending ?? ['fresh']);
  const member = (name: string) => ({
    config: pending.has(name) ? account({ id: PENDING_ACCOUNT_ID, email: `aws+${name}@example.org` }) : account({ email: `aws+${name}@example.org` }),
    layers: { 'base-tf-backend': defineLayer(BaseTfBackend, {}), security: defineLayer(Security, {}) },
  });
  return source({
    management: {
      config: account({ environment: 'management' }),
      layers: {
        ...(options.noCreator ? {} : { organizations: defineLayer(Organizations, { accountOus: { security: 'security', shared: 'infrastructure', fresh: 'workloads' } }) }),
        ...(options.costFor ? { cost: defineLayer(Cost, { monthlyUsd: { [options.costFor]: 10 } }) } : {}),
      },
    },
    security: member('security'),
    shared: member('shared'),
    fresh: member('fresh'),
  }, { accountOrder: ['management', 'security', 'shared', 'fresh'] });
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message.split('\n').slice(1).map((l) => l.replace(/^\s*- /, ''));
  }
  throw new Error('expected a ConfigError');
}

describe('an account whose id is pending', () => {
  it('is an ordinary account in the sandbox, with a stable 12-digit offline id no other account has', () => {
    const src = org();
    const resolved = resolveOrganisation(src, SANDBOX);
    const fresh = resolved.accounts.get('fresh')!;
    expect(fresh.id).toMatch(/^\d{12}$/);
    expect([...resolved.accounts.values()].filter((a) => a.id === fresh.id)).toHaveLength(1);
    expect(resolveOrganisation(org(), SANDBOX).accounts.get('fresh')!.id).toBe(fresh.id);
    expect(resolved.pendingAccounts.size).toBe(0);
    const { stacks } = build(src, SANDBOX);
    expect(stacks.has('test-fresh-security')).toBe(true);
    // A colliding derived id is skipped.
    const first = sandboxAccountId('test', 'fresh', new Set());
    expect(sandboxAccountId('test', 'fresh', new Set([first]))).not.toBe(first);
  });

  it('is left out of a real synth, except by the organizations layer, which creates it from its e-mail', () => {
    const src = org();
    const resolved = resolveOrganisation(src, REAL);
    expect(resolved.accounts.has('fresh')).toBe(false);
    expect([...resolved.pendingAccounts.keys()]).toEqual(['fresh']);
    const { stacks } = build(src, REAL);
    expect([...stacks.keys()].filter((id) => id.startsWith('test-fresh-'))).toEqual([]);
    const created = resources(synthStack(src, 'test-management-organizations'), 'aws_organizations_account');
    expect(created.map((a) => a.email).sort()).toEqual(['aws+fresh@example.org', 'aws+security@example.org', 'aws+shared@example.org']);
  });

  it('refuses in a real synth any stack that would carry the pending id, naming stack and account', () => {
    // The organisation's SCPs name the security account's deploy role: with that account pending, they cannot be written.
    expect(problems(() => build(org({ pending: ['fresh', 'security'] }), REAL))).toEqual([
      "test/management/organizations: account id: needs the id of account security, which AWS Organizations has not created yet (id 'pending' in security/account.ts): apply the organizations layer alone first, then set the id it outputs",
    ]);
  });

  it('explains, in a real synth, why a layer naming it finds no such account', () => {
    expect(problems(() => resolveOrganisation(org({ costFor: 'fresh' }), REAL))).toEqual([
      'test/management/cost: monthlyUsd.fresh: unknown account "fresh" (known: management, security, shared)',
      "test/fresh: id: 'pending': a real synth leaves this account out until its id is set, so a layer that names it finds no such account",
    ]);
    expect(() => resolveOrganisation(org({ costFor: 'fresh' }), SANDBOX)).not.toThrow();
  });

  it('is refused when no layer of the project creates accounts', () => {
    const expected = "test/fresh: id: 'pending', but no enabled layer of the project creates accounts (organizations): set the 12-digit id of the existing account";
    expect(problems(() => resolveOrganisation(org({ noCreator: true }), REAL))).toContain(expected);
    expect(problems(() => resolveOrganisation(org({ noCreator: true }), SANDBOX))).toContain(expected);
  });

  it('still refuses an id that is neither 12 digits nor pending', () => {
    const src = org();
    const bad = { ...src, accounts: { ...src.accounts, fresh: { ...src.accounts.fresh, config: { ...src.accounts.fresh.config, id: 'TODO' } } } };
    expect(problems(() => resolveOrganisation(bad, SANDBOX))).toContain(`test/fresh: id: "TODO" is not a 12-digit AWS account id (or 'pending' for an account the organizations layer creates)`);
  });
});

describe('placeholders written by make new-layer', () => {
  it('are refused in any layer, whatever its own checks, naming each field', () => {
    const src = source({
      management: {
        config: account({ environment: 'management' }),
        layers: { cost: defineLayer(Cost, { notificationEmails: ['<fill in: e-mail receiving the alerts>'], monthlyUsd: {} }) },
      },
    });
    expect(problems(() => resolveOrganisation(src, SANDBOX))).toEqual(['test/management/cost: notificationEmails[0]: is still the placeholder make new-layer wrote: fill it in']);
  });
});
