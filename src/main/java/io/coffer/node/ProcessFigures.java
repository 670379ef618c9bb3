package io.coffer.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the kernel counts for a node's process, read from {@code /proc}: the figures a container engine
 * reports for a container, for the nodes the process driver runs on this host.
 *
 * @param cpuSeconds user and system CPU time the process used since it started ({@code /proc/<pid>/stat})
 * @param memory resident memory now ({@code VmRSS})
 * @param memoryHighest the highest resident memory since the process started ({@code VmHWM})
 * @param swap memory of the process swapped out now ({@code VmSwap}); the kernel keeps no highest of it
 * @param swapFree swap the process may still use: the host's free swap, less when its cgroup allows less
 */
record ProcessFigures(double cpuSeconds, long memory, long memoryHighest, long swap, long swapFree) {

	// the unit of utime and stime in /proc/<pid>/stat: USER_HZ, which Linux fixes at 100 for user space
	private static final double TICKS_PER_SECOND = 100;

	private static final Path PROC = Path.of("/proc");

	/** The figures of the process, or empty when it is not (or no longer) readable here. */
	static Optional<ProcessFigures> of(long pid) {
		Path process = PROC.resolve(String.valueOf(pid));
		try {
			String stat = Files.readString(process.resolve("stat"), StandardCharsets.US_ASCII);
			// the command name, in parentheses, may hold spaces: the fields are counted after its end
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
			// utime and stime are fields 14 and 15 of the line, 12 and 13 after the name and the state
			double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
			List<String> status = Files.readAllLines(process.resolve("status"), StandardCharsets.UTF_8);
			long swap = kilobytes(status, "VmSwap:");
			long memory = kilobytes(status, "VmRSS:");
			// the kernel brings VmHWM up to date lazily: never below the memory it shows now
			long highest = Math.max(memory, kilobytes(status, "VmHWM:"));
			return Optional.of(new ProcessFigures(cpu, memory, highest, swap, swapFree(process, swap)));
		}
		catch (IOException | UncheckedIOException | NumberFormatException | IndexOutOfBoundsException ex) {
			// the process ended, or this is not Linux: the figures are not known
			return Optional.empty();
		}
	}

	private static long swapFree(Path process, long swap) throws IOException {
		long free = kilobytes(Files.readAllLines(PROC.resolve("meminfo"), StandardCharsets.UTF_8), "SwapFree:");
		// cgroup v2 ("0::/path"): memory.swap.max caps what the group may swap, "max" when it does not
		for (String line : Files.readAllLines(process.resolve("cgroup"), StandardCharsets.UTF_8)) {
			if (line.startsWith("0::")) {
				Path group = Path.of("/sys/fs/cgroup", line.substring(3));
				Path max = group.resolve("memory.swap.max");
				Path current = group.resolve("memory.swap.current");
				if (Files.isReadable(max) && Files.isReadable(current)) {
					String limit = Files.readString(max).trim();
					if (!"max".equals(limit)) {
						long left = Long.parseLong(limit) - Long.parseLong(Files.readString(current).trim());
						free = Math.min(free, Math.max(0, left));
					}
				}
			}
		}
		return free;
	}

	private static long kilobytes(List<String> lines, String field) {
		// "VmRSS:	    7024 kB"
		return lines.stream()
			.filter((line) -> line.startsWith(field))
			.findFirst()
			.map((line) -> Long.parseLong(line.substring(field.length()).replace("kB", "").trim()) * 1024)
			.orElse(0L);
	}

}
