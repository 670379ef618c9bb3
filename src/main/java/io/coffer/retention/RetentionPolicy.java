package io.coffer.retention;

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
 * <li>daily: the newest successful periodic backup of a day; the newest {@code daily} dailies are
 * kept, the Sunday ones among them for {@code weekly} Sundays, those of a month's first Sunday for
 * {@code monthly} months; any other periodic backup is deleted;
 * <li>manual backups roll: the newest {@code manual} are kept, the oldest deleted first;
 * <li>after the database is deleted, its backups stay for the family's period, then go;
 * <li>failed backups (which have no object) stay listed for {@code keepFailed};
 * <li>the most recent good backup (done, and not found damaged by a download, restore or drill) is never
 * deleted, whatever the rules above say; a damaged backup keeps only the places the rules above give it,
 * so that it never pushes out the last backup that restores; backups in flight are never touched.
 * </ul>
 */
public class RetentionPolicy {

	private final Duration keepFailed;

	public RetentionPolicy(Duration keepFailed) {
		this.keepFailed = keepFailed;
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
				.filter((backup) -> !Backup.PERIODIC.equals(backup.method()))
				.sorted(newestFirst())
				.limit(family.manual)
				.forEach((backup) -> keep.add(backup.id()));
		}
		else if (now.isBefore(deletedAt.atZone(ZoneOffset.UTC).plus(family.afterDeletion).toInstant())) {
			done.forEach((backup) -> keep.add(backup.id()));
		}
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
		Map<LocalDate, BackupRef> dailies = new TreeMap<>(Comparator.reverseOrder());
		for (BackupRef backup : done) {
			if (Backup.PERIODIC.equals(backup.method())) {
				dailies.merge(day(backup), backup, (a, b) -> newestFirst().compare(a, b) <= 0 ? a : b);
			}
		}
		int daily = 0;
		int weekly = 0;
		int monthly = 0;
		for (Map.Entry<LocalDate, BackupRef> entry : dailies.entrySet()) {
			LocalDate day = entry.getKey();
			boolean kept = false;
			if (daily++ < family.daily) {
				kept = true;
			}
			if (day.getDayOfWeek() == DayOfWeek.SUNDAY) {
				if (weekly++ < family.weekly) {
					kept = true;
				}
				if (day.getDayOfMonth() <= 7 && monthly++ < family.monthly) {
					kept = true;
				}
			}
			if (kept) {
				keep.add(entry.getValue().id());
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
