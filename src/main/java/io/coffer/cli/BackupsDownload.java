package io.coffer.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.coffer.pipeline.BackgroundDigest;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Downloads a backup's archive. It is written to {@code <file>.part} and takes its final name
 * only once every byte of the announced length arrived and its SHA-256 matches the ETag, so a
 * file under the final name is always a whole, checked archive. A cut download keeps its
 * {@code .part}, and the next run asks only for the rest (an HTTP range).
 */
@Command(name = "backups-download", description = "Download a backup (default: the latest successful one).")
final class BackupsDownload implements Callable<Integer> {

	/** Bytes received and written per step: a few system calls per MiB. */
	private static final int BUFFER_SIZE = 256 * 1024;

	private static final Pattern FILE_NAME = Pattern.compile("filename=\"?([^\";]+)\"?");

	@ParentCommand
	CofferCli cli;

	@Option(names = "--backup", paramLabel = "ID", description = "the backup to download (see: coffer backups)")
	String backup;

	@Option(names = "--at", paramLabel = "TIME", description = "the database as it was at this time (ISO-8601,"
			+ " 2026-12-01T14:03:07Z), made on request from point-in-time recovery instead of a backup")
	String at;

	@Option(names = { "-o", "--output" }, paramLabel = "FILE",
			description = "where to write it (default: the backup's file name, in the current folder)")
	Path output;

	@Override
	public Integer call() throws IOException {
		String db = this.cli.databaseId();
		PrintStream out = this.cli.console.out();
		if (this.at != null && this.backup != null) {
			throw new CliException("--at downloads the database as it was at a time, --backup a backup: give one");
		}
		String which = (this.backup != null) ? this.backup : "latest";
		String path;
		if (this.at != null) {
			out.println("-----> Making the archive of the database as of " + this.at + " (base backup and replay)");
			path = "/databases/" + db + "/backups/at/"
					+ java.net.URLEncoder.encode(this.at, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20")
					+ "/archive";
		}
		else {
			if (this.backup == null) {
				out.println("-----> Selected the most recent successful backup");
			}
			path = "/databases/" + db + "/backups/" + which + "/archive";
		}
		HttpResponse<InputStream> response = open(path, Map.of());
		Path target = target(response);
		Path part = target.resolveSibling(target.getFileName() + ".part");
		OptionalLong length = response.headers().firstValueAsLong("Content-Length");
		String etag = response.headers().firstValue("ETag").orElse(null);
		long kept = Files.isRegularFile(part) ? Files.size(part) : 0;
		long offset = 0;
		// the file name holds the backup's id and time, so a .part of that name is the start of this archive;
		// If-Range and the final SHA-256 check catch the rare case where it is not
		if (kept > 0 && length.isPresent() && kept < length.getAsLong() && etag != null && acceptsRanges(response)) {
			response.body().close();
			response = open(path, Map.of("Range", "bytes=" + kept + "-", "If-Range", etag));
			if (response.statusCode() == 206) {
				offset = kept;
				out.println("-----> Resuming " + target.getFileName() + " from " + Sizes.binary(kept));
			}
		}
		String sha256 = save(response.body(), target, part, offset, length);
		String expectedSha256 = (etag != null) ? unquote(etag) : null;
		if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha256)) {
			Files.deleteIfExists(part);
			throw new CliException("download of " + target.getFileName()
					+ " is corrupt: its SHA-256 does not match the one the service announced; try again");
		}
		Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		out.println("===> " + this.cli.console.workingDirectory().relativize(target.toAbsolutePath()));
		return 0;
	}

	private HttpResponse<InputStream> open(String path, Map<String, String> headers) {
		return this.cli.client().download(path, headers, (answer) -> {
			if (answer.isMissingRoute()) {
				return CliException.notOffered("downloads", null);
			}
			return new CliException("cannot download " + ((this.at != null) ? "the database as of " + this.at
					: (this.backup != null) ? "backup " + this.backup : "the latest backup") + ": " + answer.message());
		});
	}

	private static boolean acceptsRanges(HttpResponse<?> response) {
		return response.headers().allValues("Accept-Ranges").stream().anyMatch((value) -> value.contains("bytes"));
	}

	/**
	 * Writes the body to {@code part} from {@code offset} on, with a progress bar, and returns the
	 * SHA-256 of the whole file. A cut download keeps its {@code .part} for the next run to resume. The
	 * SHA-256 is computed on a thread of its own while this one receives and writes.
	 */
	private String save(InputStream body, Path target, Path part, long offset, OptionalLong length)
			throws IOException {
		try (BackgroundDigest sha256 = new BackgroundDigest()) {
			byte[] buffer = new byte[BUFFER_SIZE];
			if (offset > 0) {
				try (InputStream already = Files.newInputStream(part)) {
					int read;
					while ((read = already.read(buffer)) != -1) {
						sha256.update(buffer, 0, read);
					}
				}
			}
			long received = offset;
			OpenOption[] mode = (offset > 0) ? new OpenOption[] { StandardOpenOption.APPEND }
					: new OpenOption[] { StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
							StandardOpenOption.WRITE };
			try (InputStream in = body;
					// what arrives comes in pieces of a few KiB: written to the disk in large ones
					OutputStream file = new BufferedOutputStream(Files.newOutputStream(part, mode), BUFFER_SIZE);
					ProgressBar bar = progressBar(length.orElse(-1))) {
				bar.stepTo(received);
				int read;
				// read, not readNBytes: bytes that arrived before a cut are written and kept for the resume
				while ((read = in.read(buffer)) != -1) {
					file.write(buffer, 0, read);
					sha256.update(buffer, 0, read);
					received += read;
					bar.stepTo(received);
				}
			}
			catch (IOException ex) {
				throw cutShort(target, received, length, reason(ex));
			}
			if (length.isPresent() && received < length.getAsLong()) {
				throw cutShort(target, received, length, "the connection closed");
			}
			return sha256.hex();
		}
	}

	private static CliException cutShort(Path target, long received, OptionalLong length, String why) {
		String of = length.isPresent() ? " of " + length.getAsLong() : "";
		return new CliException("download of " + target.getFileName() + " was cut short after " + received + of
				+ " bytes (" + why + "); run the command again to resume it");
	}

	private ProgressBar progressBar(long length) {
		PrintStream err = this.cli.console.err();
		return new ProgressBarBuilder().setInitialMax(length)
			.setUpdateIntervalMillis(200)
			.setRenderer(BackupsDownload::render)
			.setConsumer(new ProgressBarConsumer() {

				@Override
				public int getMaxRenderedLength() {
					return 100;
				}

				@Override
				public void accept(String rendered) {
					err.print("\r" + rendered);
					err.flush();
				}

				@Override
				public void close() {
					err.println();
				}

			})
			.build();
	}

	/** As the platform's CLI draws it: {@code 139.37 KiB / 139.37 KiB [-----] 100.00% 1.20 MiB/s}. */
	static String render(ProgressState state, int maxLength) {
		long current = state.getCurrent();
		long max = state.getMax();
		double seconds = state.getElapsedAfterStart().toMillis() / 1000.0;
		String speed = (seconds > 0) ? Sizes.binary((long) (current / seconds)) + "/s" : "? p/s";
		if (max <= 0) {
			return Sizes.binary(current) + " " + speed;
		}
		double fraction = Math.min(1.0, (double) current / max);
		int barWidth = 36;
		int filled = (int) Math.round(fraction * barWidth);
		return String.format(java.util.Locale.ROOT, "%s / %s [%s%s] %.2f%% %s", Sizes.binary(current),
				Sizes.binary(max), "-".repeat(filled), " ".repeat(barWidth - filled), fraction * 100, speed);
	}

	private Path target(HttpResponse<InputStream> response) {
		Path folder = this.cli.console.workingDirectory();
		if (this.output != null) {
			return folder.resolve(this.output).toAbsolutePath();
		}
		String name = response.headers()
			.firstValue("Content-Disposition")
			.map(FILE_NAME::matcher)
			.filter(Matcher::find)
			.map((matcher) -> matcher.group(1))
			.orElse(null);
		return folder.resolve(safeFileName(name, (this.at != null) ? "at-" + this.at.replace(':', '-')
				: (this.backup != null) ? this.backup : "latest"));
	}

	/** Only the last part of the server's name: a download never writes outside the chosen folder. */
	static String safeFileName(String suggested, String fallback) {
		String fallbackName = fallback + ".tar.gz";
		if (suggested == null || suggested.isBlank()) {
			return fallbackName;
		}
		try {
			Path name = Path.of(suggested.replace('\\', '/')).getFileName();
			if (name == null || name.toString().equals("..") || name.toString().equals(".")) {
				return fallbackName;
			}
			return name.toString();
		}
		catch (InvalidPathException ex) {
			return fallbackName;
		}
	}

	private static String unquote(String etag) {
		String value = etag.startsWith("W/") ? etag.substring(2) : etag;
		return (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\""))
				? value.substring(1, value.length() - 1) : value;
	}

	private static String reason(Exception ex) {
		return (ex.getMessage() != null) ? ex.getMessage() : ex.getClass().getSimpleName();
	}

}
