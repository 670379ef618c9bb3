package io.coffer.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.zip.Inflater;

import io.coffer.pipeline.DeflateLibrary.BlockDeflater;
import io.coffer.pipeline.DeflateLibrary.BlockInflater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which deflate library runs: the first of ISA-L, libdeflate and {@code java.util.zip} that loads
 * and passes a round trip, chosen once and logged once ({@code gzip: ISA-L 2.30 (libisal.so.2)}).
 * A preference ({@code coffer.backup.compression-library}) starts the search at that library; one
 * that is missing or fails its round trip is logged with the reason, and the next one is used.
 */
public final class DeflateLibraries {

	private static final Logger log = LoggerFactory.getLogger(DeflateLibraries.class);

	/** The preferences a configuration may name, best first after {@code auto}. */
	public static final List<String> PREFERENCES = List.of("auto", "isal", "libdeflate", "zlib");

	private static DeflateLibrary active;

	private static String activePreference;

	private DeflateLibraries() {
	}

	/** The library chosen at start-up, or, if nothing chose yet, the best one here. */
	public static synchronized DeflateLibrary active() {
		return (active != null) ? active : use("auto");
	}

	/**
	 * Chooses the library that {@link #active()} returns from now on, starting the search at
	 * {@code preference}, and logs the choice. Choosing again with the same preference keeps the
	 * first choice.
	 * @param preference one of {@link #PREFERENCES}
	 */
	public static synchronized DeflateLibrary use(String preference) {
		if (active != null && preference.equals(activePreference)) {
			return active;
		}
		return use(preference, installedCandidates());
	}

	/** Chooses among {@code candidates}, whatever was chosen before, and logs the choice. */
	static synchronized DeflateLibrary use(String preference, List<Candidate> candidates) {
		Selection selection = select(preference, candidates);
		selection.rejected().forEach((reason) -> log.warn("gzip: {}", reason));
		log.info("gzip: {}", selection.library().description());
		active = selection.library();
		activePreference = preference;
		return active;
	}

	/** A library that may be used, built on demand because building it loads it. */
	record Candidate(String id, Supplier<DeflateLibrary> loader) {
	}

	/** The library chosen, and why each better one was not. */
	record Selection(DeflateLibrary library, List<String> rejected) {
	}

	static List<Candidate> installedCandidates() {
		return List.of(new Candidate("isal", () -> new IsalLibrary(IsalLibrary.SONAME)),
				new Candidate("libdeflate", () -> new LibdeflateLibrary(LibdeflateLibrary.SONAME)),
				new Candidate("zlib", () -> ZlibLibrary.INSTANCE));
	}

	/**
	 * The first of {@code candidates}, from the one {@code preference} names on, that loads and
	 * passes {@link #selfTest}; {@code java.util.zip} if none does.
	 */
	static Selection select(String preference, List<Candidate> candidates) {
		int start = 0;
		if (!"auto".equals(preference)) {
			start = candidates.stream().map(Candidate::id).toList().indexOf(preference);
			if (start < 0) {
				throw new IllegalArgumentException("unknown compression library '" + preference + "', expected one of "
						+ PREFERENCES);
			}
		}
		List<String> rejected = new ArrayList<>();
		for (Candidate candidate : candidates.subList(start, candidates.size())) {
			try {
				DeflateLibrary library = candidate.loader().get();
				selfTest(library);
				return new Selection(library, List.copyOf(rejected));
			}
			catch (Exception | LinkageError ex) {
				rejected.add(candidate.id() + " is not used: " + ex.getMessage());
			}
		}
		return new Selection(ZlibLibrary.INSTANCE, List.copyOf(rejected));
	}

	/**
	 * Compresses text-like, random and empty data at the fast, default and best levels, and checks
	 * that {@code java.util.zip} and the library itself both read back what went in: a library
	 * that loads but writes or reads anything else is never used.
	 */
	static void selfTest(DeflateLibrary library) throws Exception {
		byte[] sample = sample();
		for (int length : new int[] { sample.length, 0 }) {
			for (int level : new int[] { 1, 6, 9 }) {
				byte[] deflated;
				int deflatedLength;
				try (BlockDeflater deflater = library.newDeflater(level)) {
					deflated = new byte[deflater.maxDeflatedSize(length)];
					deflatedLength = deflater.deflate(sample, length, deflated, 0);
				}
				byte[] byZlib = new byte[length];
				Inflater zlib = new Inflater(true);
				try {
					zlib.setInput(deflated, 0, deflatedLength);
					int produced = (length > 0) ? zlib.inflate(byZlib) : 0;
					if (produced != length || (length > 0 && !zlib.finished())) {
						throw new IllegalStateException("self-test: java.util.zip could not read its deflate output");
					}
				}
				finally {
					zlib.end();
				}
				byte[] byItself = new byte[length];
				try (BlockInflater inflater = library.newInflater()) {
					inflater.inflate(deflated, deflatedLength, byItself, length);
				}
				if (!Arrays.equals(byZlib, 0, length, sample, 0, length)
						|| !Arrays.equals(byItself, 0, length, sample, 0, length)) {
					throw new IllegalStateException("self-test: the round trip at level " + level + " changed the data");
				}
			}
		}
	}

	/** 192 KiB: lines of repeated words, then random bytes, then zeros. */
	private static byte[] sample() {
		byte[] sample = new byte[192 * 1024];
		Random random = new Random(15);
		String[] words = { "user:", "session", "42", "cart", "{\"id\":", "true", "\n" };
		int position = 0;
		while (position < 64 * 1024) {
			byte[] word = words[random.nextInt(words.length)].getBytes(StandardCharsets.US_ASCII);
			int length = Math.min(word.length, 64 * 1024 - position);
			System.arraycopy(word, 0, sample, position, length);
			position += length;
		}
		byte[] noise = new byte[64 * 1024];
		random.nextBytes(noise);
		System.arraycopy(noise, 0, sample, 64 * 1024, noise.length);
		return sample;
	}

}
