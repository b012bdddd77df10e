import type { ChannelTrouble, OutMessage } from '../chat.js';
import { formatWhen } from './progress.js';

/** Why a member is gone, as a mentor or an organizer reads it. */
export type LeftReason = 'left-channel' | 'left-workspace' | 'deactivated' | 'left-server' | 'lost-access' | 'not-in-channel';

export const LEFT_WORDS: Record<LeftReason, string> = {
  'left-channel': 'left the channel',
  'left-workspace': 'left the workspace',
  deactivated: 'had their account deactivated',
  'left-server': 'left the server',
  'lost-access': 'lost access to the channel',
  'not-in-channel': 'is no longer in the channel (found by the daily check)',
};

const FIX: Record<ChannelTrouble, { what: string; fix: string }> = {
  archived: { what: 'was archived', fix: 'Unarchive it, or move the cohort to another channel' },
  deleted: { what: 'was deleted', fix: 'Move the cohort to another channel' },
  'bot-removed': { what: 'no longer has the bot in it', fix: 'Invite the bot back (`/invite @mentorbot`), or move the cohort to another channel' },
  'no-permission': { what: 'no longer lets the bot post', fix: 'Give the bot back its permission to view the channel and send messages, or move the cohort to another channel' },
};

export const TROUBLE_WORDS: Record<ChannelTrouble, string> = Object.fromEntries(Object.entries(FIX).map(([k, v]) => [k, v.what])) as Record<ChannelTrouble, string>;

/** To organizers, once per outage: the cohort's channel cannot be used, and how to fix it. */
export function channelUnreachableNotice(cohortName: string, trouble: ChannelTrouble, since: Date, timezone: string): OutMessage {
  const { what, fix } = FIX[trouble];
  return {
    text: [
      `The channel of **${cohortName}** ${what} (${formatWhen(since, timezone)}), so I can't post there.`,
      'Until it works again I post no round and send no reminder or stall alert; weeks that fall due meanwhile follow the outage rule: the latest is posted late, the earlier ones are not run and count against nobody.',
      `${fix}: \`/cohort edit channel:#new-channel cohort:"${cohortName}"\`, typed anywhere.`,
    ].join('\n'),
  };
}

export function channelBackNotice(cohortName: string): OutMessage {
  return { text: `The channel of **${cohortName}** works again: the next round goes out at its slot (or now, late, if one fell due).` };
}

/** To organizers, once: the last mentor left, so alerts and digests come to them. */
export function noMentorNotice(cohortName: string, mentorName: string, reason: LeftReason): OutMessage {
  return {
    text: `${mentorName} ${LEFT_WORDS[reason]}, and **${cohortName}** has no other mentor: stall alerts now come to you, the organizers. Add a mentor with \`/cohort mentor @user\` in its channel.`,
  };
}

/** To someone who joined a cohort's channel without being in the cohort. */
export function joinHint(cohortName: string, cohortId: number): OutMessage {
  return {
    text: `You joined the channel of **${cohortName}**, a mentored cohort: every week I post its milestone there and learners check in with one click. Want to take part?`,
    buttons: [{ action: 'cohort.join', label: 'Join', value: String(cohortId), style: 'primary' }],
  };
}

/** A learner whose DMs cannot be reached is reminded under the round post instead, once. */
export function threadReminder(mention: string, week: number): OutMessage {
  return { text: `${mention}, week ${week}'s check-in is still open: one click on the post above is enough. (I could not reach you by direct message.)` };
}
