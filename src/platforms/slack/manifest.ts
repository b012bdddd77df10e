import { SLASH_COMMANDS, type SlashCommand } from '../../core/commands.js';

export const EVENTS_PATH = '/slack/events';
export const URL_PLACEHOLDER = 'https://YOUR-PUBLIC-HOST';

const DESCRIPTIONS: Record<SlashCommand, { description: string; hint?: string }> = {
  checkin: { description: "Check in for this week's milestone: opens the form, or records a status at once", hint: '[on-track|behind|blocked|done] [note]' },
  progress: { description: 'Milestones done, where you stand against the schedule, recent check-ins', hint: '[@learner]' },
  faq: { description: 'Ask the curated FAQ of the program', hint: '<question>' },
  away: { description: 'No reminders or stall flags until the date you are back', hint: 'YYYY-MM-DD | back | (empty: show)' },
  evidence: { description: 'Link your work to a milestone so it is checked; empty lists your links', hint: '<url> [milestone:<id>]' },
  cohort: {
    description: "Create, join and manage this channel's cohort",
    hint: 'create name:<text> program:<id> start:<YYYY-MM-DD> day:<mon..sun> time:<HH:MM> tz:<Area/City> | join | status | schedule | report | add|mentor|remove @user | pause | resume | skip|unskip <YYYY-MM-DD> | edit [day:] [time:] [tz:]',
  },
  stalled: { description: 'Open stall flags in your cohorts, with Acknowledge / Resolve (mentors)' },
  mydata: { description: 'What the bot keeps about you: see it, download it, delete it', hint: '[delete]' },
  dashboard: { description: 'A private one-time link that signs you in to the web dashboard' },
  me: { description: 'Your time zone and reminder slot', hint: '[tz:Area/City] [remind:<day> <HH:MM>]' },
};

/** The Slack events that say the platform changed under the bot (subscribed in the manifest). */
export const PLATFORM_EVENT_TYPES = [
  'member_joined_channel',
  'member_left_channel',
  'user_change',
  'channel_archive',
  'channel_unarchive',
  'channel_deleted',
  'channel_left',
  'group_archive',
  'group_unarchive',
  'group_deleted',
  'group_left',
  'tokens_revoked',
  'app_uninstalled',
] as const;

/** Bot scopes, each for a call the app makes. */
export const BOT_SCOPES = [
  'app_mentions:read', // app_mention events: FAQ questions asked by mentioning the bot
  'channels:history', // conversations.history: find an already-posted round after a crash
  'groups:history', // same, in private cohort channels
  'chat:write', // round posts, answers, DMs, message updates
  'chat:write.public', // post a round in a public channel the bot was not invited to
  'commands', // the slash commands
  'im:write', // conversations.open for reminders, alerts and digests by DM
  'users:read', // users.info: names, and workspace admins and owners as organizers
  'metadata.message:read', // read the round id carried in message metadata
  'files:write', // files.uploadV2: the heatmap PNG in a digest's or report's thread
  'im:history', // conversations.replies in a DM: which files a retried delivery already uploaded
  'channels:read', // member_joined/left_channel and channel_archive/unarchive/deleted/left events; conversations.members (the daily check)
  'groups:read', // the same in private cohort channels (group_archive, group_left, …)
] as const;

/**
 * Events the bot subscribes to: mentions and the App Home, and the platform changing under it
 * (people leaving or deactivated, channels archived or deleted, the bot removed, access revoked).
 * user_change needs users:read; tokens_revoked and app_uninstalled need no scope.
 */
export const BOT_EVENTS = ['app_mention', 'app_home_opened', ...PLATFORM_EVENT_TYPES] as const;

export interface ManifestOptions {
  /** Public base URL (https://host) or the full request URL; a placeholder when absent. */
  url?: string | null;
  socketMode?: boolean;
  name?: string;
}

export function requestUrl(url: string | null | undefined): string {
  if (!url) return `${URL_PLACEHOLDER}${EVENTS_PATH}`;
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = path.endsWith(EVENTS_PATH) ? path : `${path}${EVENTS_PATH}`;
  return parsed.toString();
}

/** A Slack app manifest (api.slack.com/reference/manifests) for this bot: paste it into "Create an app → From a manifest". */
export function buildManifest(opts: ManifestOptions = {}): Record<string, unknown> {
  const name = opts.name ?? 'mentorbot';
  const socket = Boolean(opts.socketMode);
  const url = socket ? null : requestUrl(opts.url);
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name,
      description: 'Weekly milestone check-ins, stall alerts for mentors and a curated FAQ for mentored cohorts.',
      long_description:
        "Runs a mentored cohort program in Slack. Every week it posts the week's milestone in the cohort's channel with one-click check-in buttons, " +
        'reminds learners who have not answered, flags learners who are stalling to their mentors with the reasons, sends mentors a weekly digest, ' +
        'and answers questions from curated FAQ content, with sources. Commands: /checkin, /progress, /faq, /away, /cohort, /stalled and /mydata.',
      background_color: '#1d3557',
    },
    features: {
      app_home: { home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: false },
      bot_user: { display_name: name, always_online: true },
      slash_commands: SLASH_COMMANDS.map((command) => ({
        command: `/${command}`,
        ...(url ? { url } : {}),
        description: DESCRIPTIONS[command].description,
        ...(DESCRIPTIONS[command].hint ? { usage_hint: DESCRIPTIONS[command].hint } : {}),
        // Mentions arrive as <@U123|name>, which the command parser reads.
        should_escape: true,
      })),
    },
    oauth_config: { scopes: { bot: [...BOT_SCOPES] } },
    settings: {
      event_subscriptions: { ...(url ? { request_url: url } : {}), bot_events: [...BOT_EVENTS] },
      interactivity: { is_enabled: true, ...(url ? { request_url: url } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: socket,
      token_rotation_enabled: false,
    },
  };
}
