//! When scheduled backups are due, and which ones retention removes: functions of the settings,
//! the clock and the scheduled backups made so far, so tests run them at any moment. No SQL here.
//!
//! A schedule names slots: daily at `hour`, weekly on `weekday` at `hour`, monthly on the 1st at
//! `hour`, in the settings' time zone. A schedule is due when its latest slot (at or before now,
//! and after the settings last changed) has no backup made for it; one backup fills every schedule
//! due at once. A failed attempt fills its slot too: the next try is at the next slot, and the
//! failure stays listed. Retention keeps the newest `keep` ready backups of each schedule.

use chrono::{DateTime, Datelike as _, Days, NaiveDate, TimeZone as _, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Schedule {
    Daily,
    Weekly,
    Monthly,
}

impl Schedule {
    pub const ALL: [Self; 3] = [Self::Daily, Self::Weekly, Self::Monthly];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// The schedule settings, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub daily: bool,
    pub weekly: bool,
    pub monthly: bool,
    /// 0–23.
    pub hour: u32,
    /// 1 (Monday) – 7 (Sunday).
    pub weekday: u32,
    pub zone: Tz,
    pub keep_daily: u32,
    pub keep_weekly: u32,
    pub keep_monthly: u32,
    /// Slots before this moment are not owed a backup.
    pub changed_at: DateTime<Utc>,
}

impl Settings {
    pub fn enabled(&self, schedule: Schedule) -> bool {
        match schedule {
            Schedule::Daily => self.daily,
            Schedule::Weekly => self.weekly,
            Schedule::Monthly => self.monthly,
        }
    }

    pub fn keep(&self, schedule: Schedule) -> usize {
        let keep = match schedule {
            Schedule::Daily => self.keep_daily,
            Schedule::Weekly => self.keep_weekly,
            Schedule::Monthly => self.keep_monthly,
        };
        usize::try_from(keep).unwrap_or(usize::MAX)
    }

    fn is_slot_day(&self, schedule: Schedule, day: NaiveDate) -> bool {
        match schedule {
            Schedule::Daily => true,
            Schedule::Weekly => day.weekday().number_from_monday() == self.weekday,
            Schedule::Monthly => day.day() == 1,
        }
    }

    /// `hour` o'clock on `day` in the zone; in a daylight-saving gap, the first moment after it.
    fn at(&self, day: NaiveDate) -> Option<DateTime<Utc>> {
        let local = day.and_hms_opt(self.hour, 0, 0)?;
        (0..=2)
            .find_map(|h| {
                self.zone
                    .from_local_datetime(&(local + chrono::Duration::hours(h)))
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
    }

    /// The schedule's latest slot at or before `now`.
    pub fn last_slot(&self, schedule: Schedule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = now.with_timezone(&self.zone).date_naive();
        (0..=62)
            .filter_map(|back| today.checked_sub_days(Days::new(back)))
            .filter(|day| self.is_slot_day(schedule, *day))
            .filter_map(|day| self.at(day))
            .find(|slot| *slot <= now)
    }

    /// The schedule's first slot after `now`.
    pub fn next_slot(&self, schedule: Schedule, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let today = now.with_timezone(&self.zone).date_naive();
        (0..=62)
            .filter_map(|ahead| today.checked_add_days(Days::new(ahead)))
            .filter(|day| self.is_slot_day(schedule, *day))
            .filter_map(|day| self.at(day))
            .find(|slot| *slot > now)
    }

    /// When the next scheduled backup is due: now, if one is owed; else the earliest next slot of
    /// the schedules that are on.
    pub fn next_run(&self, now: DateTime<Utc>, made: &[Made]) -> Option<DateTime<Utc>> {
        if !due(self, now, made).is_empty() {
            return Some(now);
        }
        Schedule::ALL
            .into_iter()
            .filter(|s| self.enabled(*s))
            .filter_map(|s| self.next_slot(s, now))
            .min()
    }
}

/// A scheduled backup made before: for which schedules and slot, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    pub id: Uuid,
    pub schedules: Vec<Schedule>,
    pub slot_at: DateTime<Utc>,
    /// `running`, `ready` or `failed`.
    pub status: String,
}

/// The schedules owed a backup at `now`, each with its slot (none: nothing to do).
pub fn due(
    settings: &Settings,
    now: DateTime<Utc>,
    made: &[Made],
) -> Vec<(Schedule, DateTime<Utc>)> {
    Schedule::ALL
        .into_iter()
        .filter(|s| settings.enabled(*s))
        .filter_map(|s| Some((s, settings.last_slot(s, now)?)))
        .filter(|(_, slot)| *slot >= settings.changed_at)
        .filter(|(s, slot)| {
            !made
                .iter()
                .any(|m| m.schedules.contains(s) && m.slot_at >= *slot)
        })
        .collect()
}

/// The scheduled backups retention removes: a ready one that is not among the newest `keep` ready
/// ones of any of its schedules; a failed one once `keep` ready ones are newer in each of its
/// schedules. A running one is never removed.
pub fn expired(settings: &Settings, made: &[Made]) -> Vec<Uuid> {
    let mut ready: Vec<&Made> = made.iter().filter(|m| m.status == "ready").collect();
    ready.sort_by(|a, b| b.slot_at.cmp(&a.slot_at).then(b.id.cmp(&a.id)));
    let kept = |m: &Made, s: Schedule| {
        ready
            .iter()
            .filter(|r| r.schedules.contains(&s))
            .take(settings.keep(s))
            .any(|r| r.id == m.id)
    };
    let newer_ready = |m: &Made, s: Schedule| {
        ready
            .iter()
            .filter(|r| r.schedules.contains(&s) && r.slot_at > m.slot_at)
            .count()
    };
    made.iter()
        .filter(|m| match m.status.as_str() {
            "ready" => !m.schedules.iter().any(|s| kept(m, *s)),
            "failed" => m
                .schedules
                .iter()
                .all(|s| newer_ready(m, *s) >= settings.keep(*s)),
            _ => false,
        })
        .map(|m| m.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(zone: Tz) -> Settings {
        Settings {
            daily: true,
            weekly: true,
            monthly: true,
            hour: 3,
            weekday: 7,
            zone,
            keep_daily: 3,
            keep_weekly: 2,
            keep_monthly: 2,
            changed_at: utc("2026-01-01T00:00:00Z"),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn made(slot: &str, schedules: &[Schedule], status: &str) -> Made {
        Made {
            id: Uuid::now_v7(),
            schedules: schedules.to_vec(),
            slot_at: utc(slot),
            status: status.to_owned(),
        }
    }

    #[test]
    fn slots_are_at_the_hour_in_the_zone_on_their_days() {
        let s = settings(chrono_tz::Europe::Berlin);
        // Wednesday 2026-03-11 10:00 UTC = 11:00 in Berlin (CET).
        let now = utc("2026-03-11T10:00:00Z");
        assert_eq!(
            s.last_slot(Schedule::Daily, now),
            Some(utc("2026-03-11T02:00:00Z"))
        );
        assert_eq!(
            s.last_slot(Schedule::Weekly, now),
            Some(utc("2026-03-08T02:00:00Z"))
        );
        assert_eq!(
            s.last_slot(Schedule::Monthly, now),
            Some(utc("2026-03-01T02:00:00Z"))
        );
        assert_eq!(
            s.next_slot(Schedule::Daily, now),
            Some(utc("2026-03-12T02:00:00Z"))
        );
        // Before 03:00 local, today's slot is still ahead.
        let early = utc("2026-03-11T01:30:00Z");
        assert_eq!(
            s.last_slot(Schedule::Daily, early),
            Some(utc("2026-03-10T02:00:00Z"))
        );
        // Summer time (CEST, from 2026-03-29): 03:00 local is 01:00 UTC.
        assert_eq!(
            s.last_slot(Schedule::Daily, utc("2026-04-02T12:00:00Z")),
            Some(utc("2026-04-02T01:00:00Z"))
        );
        // 02:30 does not exist on 2026-03-29 in Berlin: the slot is the first moment after the gap.
        let gap = Settings { hour: 2, ..s };
        assert_eq!(
            gap.last_slot(Schedule::Daily, utc("2026-03-29T12:00:00Z")),
            Some(utc("2026-03-29T01:00:00Z"))
        );
    }

    #[test]
    fn one_backup_fills_every_schedule_due_and_a_filled_slot_is_not_owed_again() {
        let s = settings(chrono_tz::UTC);
        // Sunday 2026-03-01: all three are due at 03:00.
        let now = utc("2026-03-01T03:05:00Z");
        let owed = due(&s, now, &[]);
        assert_eq!(
            owed.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            Schedule::ALL
        );
        let all = made("2026-03-01T03:00:00Z", &Schedule::ALL, "ready");
        assert!(due(&s, now, std::slice::from_ref(&all)).is_empty());
        // A failure fills its slot as well (the next try is the next slot).
        let failed = made("2026-03-01T03:00:00Z", &Schedule::ALL, "failed");
        assert!(due(&s, now, std::slice::from_ref(&failed)).is_empty());
        assert_eq!(
            s.next_run(now, &[failed]),
            Some(utc("2026-03-02T03:00:00Z"))
        );
        // Monday: only the daily one.
        let monday = utc("2026-03-02T04:00:00Z");
        assert_eq!(
            due(&s, monday, &[all]),
            vec![(Schedule::Daily, utc("2026-03-02T03:00:00Z"))]
        );
        // Slots before the settings changed are not owed; every schedule off: nothing, ever.
        let changed = Settings {
            changed_at: utc("2026-03-02T03:30:00Z"),
            ..s.clone()
        };
        assert!(due(&changed, monday, &[]).is_empty());
        let off = Settings {
            daily: false,
            weekly: false,
            monthly: false,
            ..s
        };
        assert!(due(&off, monday, &[]).is_empty());
        assert_eq!(off.next_run(monday, &[]), None);
    }

    #[test]
    fn retention_keeps_the_newest_of_each_schedule() {
        let s = settings(chrono_tz::UTC);
        use Schedule::{Daily, Monthly};
        let rows = vec![
            made("2026-03-01T03:00:00Z", &[Daily, Monthly], "ready"),
            made("2026-03-02T03:00:00Z", &[Daily], "ready"),
            made("2026-03-03T03:00:00Z", &[Daily], "failed"),
            made("2026-03-04T03:00:00Z", &[Daily], "ready"),
            made("2026-03-05T03:00:00Z", &[Daily], "ready"),
            made("2026-03-06T03:00:00Z", &[Daily], "ready"),
            made("2026-03-07T03:00:00Z", &[Daily], "running"),
        ];
        let gone = expired(&s, &rows);
        // Daily keeps 4, 5, 6; the 1st stays as a monthly one; the 2nd goes, and the failed 3rd
        // (three ready ones are newer); the running one stays.
        assert_eq!(gone, vec![rows[1].id, rows[2].id]);
    }
}
