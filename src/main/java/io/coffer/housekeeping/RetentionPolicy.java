package io.coffer.housekeeping;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.coffer.catalog.Backup;
import io.coffer.catalog.RunStatus;

/**
 * Which backups of one database to delete: a pure function of its backups, the time and its plan
 * family. Days are UTC days.
 * <ul>
 * <li>daily: the successful periodic backups of a day fill that day's one slot: the newest {@code daily}
 * days are kept whole (a schedule every few hours keeps each of them), the newest backup of a Sunday
 * for {@code weekly} Sundays, that of a month's first Sunday for {@code monthly} months; the other
 * backups of a day go when its daily slot does, and any other periodic backup is deleted;
 * <li>manual backups roll: the newest {@code manual} are kept, the oldest deleted first;
 * <li>the bases of point-in-time recovery (method {@code archive}) stay for {@code daily} days from when they were
 * taken, and take no manual place, so that a node restarting often never pushes out a user's manual backups;
 * <li>final backups (taken just before the database is deleted) stay for {@code keepFinal} from when
 * they were taken, whether the database lives or not, and take no manual place;
 * <li>after the database is deleted, its backups stay for the family's period, then go;
 * <li>failed backups (which have no object) stay listed for {@code keepFailed};
 * <li>the most recent good backup (done, and not found damaged by a download, restore, drill or
 * verification) is never deleted, whatever the rules above say; a damaged backup keeps only the places the
 * rules above give it, and never takes a Sunday's slot from a good backup: a kept Sunday also keeps its
 * newest good backup (a kept day keeps all of its own), so that a damaged backup never pushes out the
 * backup of its slot that restores, nor the last one; backups in flight are never touched.
 * </ul>
 */
public class RetentionPolicy {

	private final Duration keepFailed;

	private final Duration keepFinal;

	public RetentionPolicy(Duration keepFailed, Duration keepFinal) {
		this.keepFailed = keepFailed;
		this.keepFinal = keepFinal;
	}

	/** For a live database. */
	public List<BackupRef> toDelete(List<BackupRef> backups, Instant now, PlanFamily family) {
		return toDelete(backups, now, family, null);
	}

	/** Oldest first; {@code deletedAt} is when the database was deleted, null while it lives. */
	public List<BackupRef> toDelete(List<BackupRef> backups, Instant now, PlanFamily family, Instant deletedAt) {
		List<BackupRef> done = backups.stream().filter((backup) -> backup.status() == RunStatus.DONE).toList();
		Set<String> keep = new HashSet<>();
		if (deletedAt == null) {
			keepDailies(done, family, keep);
			done.stream()
				.filter((backup) -> !Backup.PERIODIC.equals(backup.method()) && !Backup.FINAL.equals(backup.method())
						&& !Backup.ARCHIVE.equals(backup.method()))
				.sorted(newestFirst())
				.limit(family.manual)
				.forEach((backup) -> keep.add(backup.id()));
			done.stream()
				.filter((backup) -> Backup.ARCHIVE.equals(backup.method()))
				.filter((backup) -> now.isBefore(backup.createdAt().plus(Duration.ofDays(family.daily))))
				.forEach((backup) -> keep.add(backup.id()));
		}
		else if (now.isBefore(deletedAt.atZone(ZoneOffset.UTC).plus(family.afterDeletion).toInstant())) {
			done.forEach((backup) -> keep.add(backup.id()));
		}
		done.stream()
			.filter((backup) -> Backup.FINAL.equals(backup.method()))
			.filter((backup) -> now.isBefore(backup.createdAt().plus(this.keepFinal)))
			.forEach((backup) -> keep.add(backup.id()));
		latestGood(backups).ifPresent((backup) -> keep.add(backup.id()));
		List<BackupRef> delete = new ArrayList<>();
		for (BackupRef backup : backups) {
			boolean expired = switch (backup.status()) {
				case DONE -> !keep.contains(backup.id());
				case ERROR -> backup.createdAt().isBefore(now.minus(this.keepFailed));
				case SCHEDULED, RUNNING -> false;
			};
			if (expired) {
				delete.add(backup);
			}
		}
		delete.sort(newestFirst().reversed());
		return delete;
	}

	private static void keepDailies(List<BackupRef> done, PlanFamily family, Set<String> keep) {
		// newest day first; each day's backups newest first
		Map<LocalDate, List<BackupRef>> days = new TreeMap<>(Comparator.reverseOrder());
		done.stream()
			.filter((backup) -> Backup.PERIODIC.equals(backup.method()))
			.sorted(newestFirst())
			.forEach((backup) -> days.computeIfAbsent(day(backup), (day) -> new ArrayList<>()).add(backup));
		int daily = 0;
		int weekly = 0;
		int monthly = 0;
		for (Map.Entry<LocalDate, List<BackupRef>> entry : days.entrySet()) {
			LocalDate day = entry.getKey();
			List<BackupRef> ofTheDay = entry.getValue();
			if (daily++ < family.daily) {
				// the day's slot is held: every backup taken that day stays with it
				ofTheDay.forEach((backup) -> keep.add(backup.id()));
			}
			if (day.getDayOfWeek() == DayOfWeek.SUNDAY) {
				boolean kept = weekly++ < family.weekly;
				if (day.getDayOfMonth() <= 7 && monthly++ < family.monthly) {
					kept = true;
				}
				if (kept) {
					keep.add(ofTheDay.get(0).id());
					// the Sunday's newest backup may be damaged: the newest good one of that day stays too
					ofTheDay.stream().filter(BackupRef::isGood).findFirst().ifPresent((backup) -> keep.add(backup.id()));
				}
			}
		}
	}

	private static Optional<BackupRef> latestGood(List<BackupRef> backups) {
		return backups.stream().filter(BackupRef::isGood).min(newestFirst());
	}

	private static LocalDate day(BackupRef backup) {
		return backup.createdAt().atZone(ZoneOffset.UTC).toLocalDate();
	}

	private static Comparator<BackupRef> newestFirst() {
		return Comparator.comparing(BackupRef::createdAt).thenComparing(BackupRef::id).reversed();
	}

}
