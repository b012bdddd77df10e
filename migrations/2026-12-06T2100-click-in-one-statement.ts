import { sql, type Kysely } from 'kysely';

// Frozen in time: this file must never import application code.

// A one-click check-in (a status button on a round post) in one round trip to the database (issue
// #27): record_click does in one call what the application did in seven to ten statements inside a
// transaction. It locks the round, so check-ins on one round take turns and each one counts the
// others' answers; in a plpgsql function every statement after the lock reads with a snapshot of its
// own, as the statements of the application's transaction did.
//
// - round_tallies: who counts for a round, the same definition as attendance.ts's tallyOf; the
//   application's roundTallies calls it, so the post's count has one SQL definition.
// - count_sentence: the count in words, the twin of attendance.ts's countSentence (a test holds
//   them together).
// - rounds.post_template: the round post as last rendered, its count replaced by a marker, so the
//   post's edit can be written where the count changes. A round posted before this migration has
//   none until its post is next rendered; until then record_click leaves a first answer to the
//   application ('slow').
// - A click's edit of the post goes into the post's latest edit when no worker has claimed it yet:
//   the post shows the last count either way, and a burst of answers costs the worker one edit.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('rounds').addColumn('post_template', 'jsonb').execute();
  await sql`comment on column rounds.post_template is 'the round post as last rendered, with a marker where the count goes (record_click fills it in)'`.execute(db);

  await sql`
    create function round_tallies(ids integer[], join_grace interval)
    returns table (round_id integer, answered integer, expected integer, away integer, "left" integer)
    language sql stable as $$
      with r as (
        select r0.id, r0.cohort_id, r0.opens_at, r0.local_date,
          coalesce(
            (select n.local_date from rounds n where n.cohort_id = r0.cohort_id and n.week = r0.week + 1),
            to_char(r0.local_date::date + 7, 'YYYY-MM-DD')
          ) as until
        from rounds r0
        where r0.id = any(ids)
      ),
      l as (
        select r.id as round_id, c.id is not null as answered,
          m.joined_at - join_grace <= r.opens_at as member,
          (select max(case when p.kind = 'left' then 2 else 1 end) from away_periods p
            where p.member_id = m.id and p.starts_on < r.until and p.ends_on > r.local_date and p.starts_on < p.ends_on
          ) as absent
        from r
        join members m on m.cohort_id = r.cohort_id and m.role = 'learner' and m.removed_at is null
        left join checkins c on c.round_id = r.id and c.member_id = m.id
      )
      select r.id,
        (count(l.round_id) filter (where l.answered))::int,
        (count(l.round_id) filter (where l.answered or (l.member and l.absent is null)))::int,
        (count(l.round_id) filter (where not l.answered and l.member and l.absent = 1))::int,
        (count(l.round_id) filter (where not l.answered and l.member and l.absent = 2))::int
      from r left join l on l.round_id = r.id
      group by r.id
    $$`.execute(db);

  await sql`
    create function count_sentence(answered integer, expected integer, away integer, gone integer)
    returns text language sql immutable as $$
      select answered || ' of ' || expected || ' checked in' ||
        case
          when away > 0 and gone > 0 then ' (' || away || ' more ' || case when away = 1 then 'is' else 'are' end || ' away; ' || gone || ' ' || case when gone = 1 then 'has' else 'have' end || ' left)'
          when away > 0 then ' (' || away || ' more ' || case when away = 1 then 'is' else 'are' end || ' away)'
          when gone > 0 then ' (' || gone || ' ' || case when gone = 1 then 'has' else 'have' end || ' left)'
          else ''
        end
    $$`.execute(db);

  // programs: { "<program id>": { "weeks": <number of weeks>, "milestones": [<ids, in week order>] } }.
  // Returns { outcome, ... }: no-round, not-member, mentor (nothing read beyond the round), slow (the
  // application takes it: nothing was written), closed, finished, unchanged, recorded.
  await sql`
    create function record_click(p_round integer, p_user text, p_status text, p_now timestamptz, p_programs jsonb,
                                 p_last_week_open interval, p_join_grace interval, p_marker text)
    returns jsonb language plpgsql as $$
    declare
      v_r record;
      v_prog jsonb;
      v_ex checkins%rowtype;
      v_ex_id integer;
      v_next integer;
      v_closed boolean;
      v_made text[];
      v_before text[];
      v_ordered text[];
      v_theirs text;
      v_ms text[];
      v_completed text[];
      v_undone text[];
      v_done text[] := '{}';
      v_c checkins%rowtype;
      v_t record;
      v_sentence text;
      v_version integer;
      v_base jsonb;
      v_post jsonb;
      v_pending bigint;
    begin
      select r0.week, r0.milestone_id, r0.opens_at, r0.state, r0.post_count, r0.post_template,
             c0.id as cohort_id, c0.name as cohort_name, c0.platform, c0.program_id, c0.status as cohort_status,
             m.id as member_id, m.role
        into v_r
        from rounds r0
        join cohorts c0 on c0.id = r0.cohort_id
        left join members m on m.cohort_id = c0.id and m.user_id = p_user and m.removed_at is null
        where r0.id = p_round
        for update of r0;
      if not found then
        return jsonb_build_object('outcome', 'no-round');
      end if;
      v_base := jsonb_build_object('cohort_id', v_r.cohort_id, 'cohort_name', v_r.cohort_name, 'platform', v_r.platform,
                                   'program_id', v_r.program_id, 'week', v_r.week, 'member_id', v_r.member_id);
      if v_r.member_id is null then
        return v_base || jsonb_build_object('outcome', 'not-member');
      end if;
      if v_r.role <> 'learner' then
        return v_base || jsonb_build_object('outcome', 'mentor');
      end if;
      v_prog := p_programs -> v_r.program_id;
      if v_prog is null then
        return jsonb_build_object('outcome', 'slow');
      end if;

      -- After the lock: these statements see every answer committed before it was granted.
      select * into v_ex from checkins c where c.round_id = p_round and c.member_id = v_r.member_id;
      if found then
        v_ex_id := v_ex.id;
      end if;
      select min(n.week) into v_next from rounds n where n.cohort_id = v_r.cohort_id and n.week > v_r.week;
      v_base := v_base || jsonb_build_object('next_week', v_next);
      v_closed := v_next is not null
        or (v_r.week >= (v_prog ->> 'weeks')::int and p_now >= v_r.opens_at + p_last_week_open);
      if (v_closed or v_r.cohort_status = 'finished') and v_ex_id is not null then
        return v_base || jsonb_build_object('outcome', 'closed', 'checkin', to_jsonb(v_ex));
      end if;
      if v_r.cohort_status = 'finished' then
        return v_base || jsonb_build_object('outcome', 'finished');
      end if;

      -- What the learner completed, and which of it this answer did: an edit may take its own back.
      select coalesce(array_agg(mc.milestone_id order by mc.completed_at, mc.milestone_id) filter (where mc.checkin_id = v_ex_id), '{}'),
             coalesce(array_agg(mc.milestone_id) filter (where v_ex_id is null or mc.checkin_id is distinct from v_ex_id), '{}')
        into v_made, v_before
        from milestone_completions mc
        where mc.member_id = v_r.member_id;
      -- The milestone the learner is asked about: the week's, or their next unfinished one.
      v_ordered := array(select jsonb_array_elements_text(v_prog -> 'milestones'));
      if v_r.milestone_id = any(v_before) then
        v_theirs := coalesce(
          (select u.m from unnest(v_ordered) with ordinality u(m, i) where not (u.m = any(v_before)) order by u.i limit 1),
          v_ordered[cardinality(v_ordered)]);
      else
        v_theirs := v_r.milestone_id;
      end if;
      -- A click names only the status: the milestones stay, but moving away from Done takes back what Done stood for.
      v_ms := v_made;
      if v_ex_id is not null and v_ex.status = 'done' and p_status <> 'done' then
        v_ms := array_remove(v_ms, v_theirs);
      end if;
      if p_status = 'done' and not (v_theirs = any(v_ms)) then
        v_ms := v_ms || v_theirs;
      end if;
      v_completed := array(select u.m from unnest(v_ms) with ordinality u(m, i) where u.m = any(v_ordered) order by u.i);
      v_undone := array(select u.m from unnest(v_made) with ordinality u(m, i) where not (u.m = any(v_ms)) order by u.i);
      v_base := v_base || jsonb_build_object('milestone_id', v_theirs);

      if v_ex_id is not null and v_ex.status = p_status and cardinality(v_undone) = 0 and v_completed <@ v_made then
        return v_base || jsonb_build_object('outcome', 'unchanged', 'checkin', to_jsonb(v_ex));
      end if;
      -- A first answer changes the post's count: without the post as last rendered, the application does it all.
      if v_ex_id is null and v_r.state = 'posted' and v_r.post_template is null then
        return jsonb_build_object('outcome', 'slow');
      end if;

      if v_ex_id is not null then
        update checkins set status = p_status, source = 'button', updated_at = p_now where id = v_ex_id returning * into v_c;
      else
        insert into checkins (round_id, member_id, status, confidence, blocker, note, late, source, created_at, updated_at)
          values (p_round, v_r.member_id, p_status, null, null, null, v_closed, 'button', p_now, p_now)
          returning * into v_c;
      end if;
      insert into checkin_history (checkin_id, status, confidence, blocker, note, milestones, late, source, recorded_at)
        values (v_c.id, v_c.status, v_c.confidence, v_c.blocker, v_c.note, v_completed, v_c.late, v_c.source, p_now);
      if cardinality(v_undone) > 0 then
        delete from milestone_completions mc where mc.member_id = v_r.member_id and mc.checkin_id = v_ex_id and mc.milestone_id = any(v_undone);
      end if;
      if cardinality(v_completed) > 0 then
        with ins as (
          insert into milestone_completions (member_id, milestone_id, checkin_id, completed_at)
            select v_r.member_id, u.m, v_c.id, p_now from unnest(v_completed) with ordinality u(m, i) order by u.i
            on conflict (member_id, milestone_id) do nothing
            returning milestone_completions.milestone_id
        )
        select coalesce(array_agg(ins.milestone_id), '{}') into v_done from ins;
      end if;

      -- The post's count, edited once through the outbox (a late answer too: the post keeps the week's whole count).
      if v_ex_id is null and v_r.state = 'posted' then
        select * into v_t from round_tallies(array[p_round], p_join_grace);
        v_sentence := count_sentence(v_t.answered, v_t.expected, v_t.away, v_t."left");
        if v_sentence is distinct from v_r.post_count then
          update rounds set post_version = post_version + 1, post_count = v_sentence where id = p_round returning post_version into v_version;
          v_post := jsonb_set(v_r.post_template, '{text}', to_jsonb(replace(v_r.post_template ->> 'text', p_marker, v_sentence)));
          -- The post's latest edit, when no worker has picked it up yet, shows this count instead: a burst
          -- of answers makes one edit, not one per answer that a worker would claim only to skip. An
          -- edit already claimed (it may be on its way), or one behind a newer edit (the worker skips
          -- it), is left alone; then this one is a new row.
          update outbox o set payload = v_post
            where o.id = (select max(p.id) from outbox p where p.target_id = 'round:' || p_round and p.kind = 'round-update' and p.status = 'pending')
              and o.status = 'pending' and o.claimed_by is null
              and not exists (select 1 from outbox n where n.kind = 'round-update' and n.target_id = o.target_id and n.id > o.id)
            returning o.id into v_pending;
          if v_pending is null then
            insert into outbox (key, kind, platform, target_kind, target_id, payload, available_at, created_at, cohort_id)
              values ('round-update:' || p_round || ':v' || v_version, 'round-update', v_r.platform, 'message', 'round:' || p_round, v_post, p_now, p_now, v_r.cohort_id)
              on conflict (key) do nothing;
          end if;
        end if;
      end if;
      return v_base || jsonb_build_object('outcome', 'recorded', 'checkin', to_jsonb(v_c), 'edited', v_ex_id is not null,
                                          'completed', to_jsonb(v_done), 'undone', to_jsonb(v_undone));
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop function if exists record_click(integer, text, text, timestamptz, jsonb, interval, interval, text)`.execute(db);
  await sql`drop function if exists count_sentence(integer, integer, integer, integer)`.execute(db);
  await sql`drop function if exists round_tallies(integer[], interval)`.execute(db);
  await db.schema.alterTable('rounds').dropColumn('post_template').execute();
}
