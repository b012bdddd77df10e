import { describe, expect, it } from 'vitest';
import { CommandError, parseCommand } from '../../src/core/commands.js';
import { toCommand, usage } from '../../src/platforms/discord/commands.js';

const discord = (action: string | null) => toCommand({ commandName: 'mydata', subcommand: null, getString: () => action, getUser: () => null });

describe('/mydata parsing', () => {
  it('reads the view and the delete request on Slack and in the terminal', () => {
    expect(parseCommand('/mydata', '')).toEqual({ name: 'mydata' });
    expect(parseCommand('/mydata', ' DELETE ')).toEqual({ name: 'mydata.delete' });
  });

  it('refuses anything else with the usage', () => {
    expect(() => parseCommand('/mydata', 'export')).toThrow(CommandError);
    try {
      parseCommand('/mydata', 'export');
    } catch (err) {
      expect((err as CommandError).message).toBe('"export" is not a /mydata option.');
      expect((err as CommandError).usage).toContain('`/mydata delete` erases it (after you confirm)');
    }
  });

  it('reads the Discord option the same way', () => {
    expect(discord(null)).toEqual({ name: 'mydata' });
    expect(discord('delete')).toEqual({ name: 'mydata.delete' });
    expect(() => discord('wipe')).toThrow('"wipe" is not a /mydata action.');
    expect(usage('mydata')).toBe('`/mydata [action:delete]`');
  });
});
