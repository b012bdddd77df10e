import type { FaqPage } from '../../core/dashboard/faq-page.js';
import { html } from '../html.js';
import { whenText } from '../format.js';
import { renderTable, type Table } from '../table.js';
import { page, type Viewer } from './layout.js';

export function faqTables(p: FaqPage): Table[] {
  return [
    {
      id: 'unanswered',
      caption: 'Questions with no curated answer',
      empty: 'No question is waiting for a curated answer.',
      columns: [
        { key: 'question', label: 'Question (latest wording)' },
        { key: 'unanswered', label: 'Unanswered', numeric: true },
        { key: 'asked', label: 'Asked', numeric: true },
        { key: 'last', label: 'Last asked (UTC)' },
      ],
      rows: p.unanswered.map((g) => ({ question: g.question, unanswered: g.unanswered, asked: g.asked, last: whenText(g.lastAskedAt, 'UTC') })),
    },
    {
      id: 'mentor-answers',
      caption: 'Mentor answers awaiting curation',
      empty: 'No mentor answer is waiting. When there are, mentorbot faq drafts turns them into entries.',
      columns: [
        { key: 'question', label: 'Question' },
        { key: 'answer', label: 'Mentor’s answer' },
        { key: 'mentor', label: 'Mentor' },
        { key: 'at', label: 'Answered (UTC)' },
        { key: 'asked', label: 'Asked', numeric: true },
      ],
      rows: p.awaiting.map((a) => ({ question: a.question, answer: a.answer, mentor: a.mentorName, at: whenText(a.answeredAt, 'UTC'), asked: a.asked })),
    },
    {
      id: 'not-helpful',
      caption: '“Not helpful” votes',
      empty: 'Nobody has marked an answer not helpful.',
      columns: [
        { key: 'entry', label: 'Entry' },
        { key: 'votes', label: 'Votes', numeric: true },
        { key: 'question', label: 'Latest question it did not help with' },
        { key: 'at', label: 'Last vote (UTC)' },
      ],
      rows: p.notHelpful.map((v) => ({ entry: `${v.entryQuestion} (${v.entryId})`, votes: v.votes, question: v.lastQuestion, at: whenText(v.lastAt, 'UTC') })),
    },
  ];
}

export function faqPageHtml(viewer: Viewer, p: FaqPage): string {
  const body = html`<h1>FAQ</h1>
<p class="lead">What the curated answers miss, from the questions asked on this platform. Nobody who asked is named.</p>
${faqTables(p).map((t) => renderTable(t, '/faq/', 2))}`;
  return page({ title: 'FAQ', viewer, body, section: 'faq' });
}
