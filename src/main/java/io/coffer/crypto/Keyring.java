package io.coffer.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The key-encryption keys, kept in a text file: one key per line,
 * {@code <key-id> <base64 of 32 random bytes>}, {@code #} starts a comment line, and the
 * last key is the newest (the one new backups use). Rotation appends a line; old keys stay
 * so that older backups can still be opened.
 */
public final class Keyring {

	private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

	private static final DateTimeFormatter ID_DATE = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

	private static final SecureRandom RANDOM = new SecureRandom();

	private final Path file;

	private final Clock clock;

	private volatile List<KeyEncryptionKey> keys;

	private Keyring(Path file, List<KeyEncryptionKey> keys, Clock clock) {
		this.file = file;
		this.keys = List.copyOf(keys);
		this.clock = clock;
	}

	public static Keyring load(Path file) throws IOException {
		return load(file, Clock.systemUTC());
	}

	static Keyring load(Path file, Clock clock) throws IOException {
		List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
		List<KeyEncryptionKey> keys = new ArrayList<>();
		Map<String, Integer> lineOfId = new HashMap<>();
		for (int i = 0; i < lines.size(); i++) {
			int lineNumber = i + 1;
			String line = lines.get(i).strip();
			if (line.isEmpty() || line.startsWith("#")) {
				continue;
			}
			String[] fields = line.split("\\s+");
			if (fields.length != 2) {
				throw malformed(file, lineNumber, "expected '<key-id> <base64 key>', found " + fields.length + " fields");
			}
			String id = fields[0];
			if (!KeyEncryptionKey.isValidId(id)) {
				throw malformed(file, lineNumber, "invalid key id '" + id + "' (1 to " + KeyEncryptionKey.MAX_ID_LENGTH
						+ " characters among letters, digits, '.', '_' and '-')");
			}
			Integer firstLine = lineOfId.putIfAbsent(id, lineNumber);
			if (firstLine != null) {
				throw malformed(file, lineNumber, "key id " + id + " appears twice (first on line " + firstLine + ")");
			}
			byte[] keyBytes;
			try {
				keyBytes = Base64.getDecoder().decode(fields[1]);
			}
			catch (IllegalArgumentException ex) {
				throw malformed(file, lineNumber, "key " + id + " is not valid base64");
			}
			if (keyBytes.length != KeyEncryptionKey.KEY_LENGTH) {
				throw malformed(file, lineNumber, "key " + id + " is " + keyBytes.length
						+ " bytes long, a key-encryption key must be " + KeyEncryptionKey.KEY_LENGTH + " bytes");
			}
			keys.add(new KeyEncryptionKey(id, keyBytes));
		}
		if (keys.isEmpty()) {
			throw new IOException("keyring " + file + " holds no key");
		}
		return new Keyring(file, keys, clock);
	}

	private static IOException malformed(Path file, int lineNumber, String problem) {
		return new IOException("keyring " + file + ", line " + lineNumber + ": " + problem);
	}

	/**
	 * Creates a new keyring file, readable by its owner only, holding one fresh key. Never
	 * overwrites an existing file.
	 */
	public static Keyring generate(Path file) throws IOException {
		return generate(file, Clock.systemUTC());
	}

	static Keyring generate(Path file, Clock clock) throws IOException {
		if (Files.exists(file)) {
			throw new FileAlreadyExistsException(file.toString(), null, "a keyring is never overwritten");
		}
		KeyEncryptionKey key = newKey(clock, List.of());
		createOwnerOnly(file);
		Files.writeString(file, "# Coffer key-encryption keys: <key-id> <base64 key>, newest last\n" + line(key),
				StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
		return new Keyring(file, List.of(key), clock);
	}

	private static void createOwnerOnly(Path file) throws IOException {
		try {
			Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
		}
		catch (UnsupportedOperationException ex) {
			Files.createFile(file);
		}
	}

	public KeyEncryptionKey newest() {
		List<KeyEncryptionKey> current = this.keys;
		return current.get(current.size() - 1);
	}

	public Optional<KeyEncryptionKey> find(String id) {
		return this.keys.stream().filter((key) -> key.id().equals(id)).findFirst();
	}

	KeyEncryptionKey require(String id) throws UnknownKeyException {
		return find(id).orElseThrow(() -> new UnknownKeyException(id));
	}

	public List<String> keyIds() {
		return this.keys.stream().map(KeyEncryptionKey::id).toList();
	}

	/**
	 * Rotation: appends a fresh key to the file; it becomes the newest.
	 */
	public synchronized KeyEncryptionKey addNewKey() throws IOException {
		KeyEncryptionKey key = newKey(this.clock, keyIds());
		byte[] existing = Files.readAllBytes(this.file);
		boolean endsWithNewline = existing.length == 0 || existing[existing.length - 1] == '\n';
		Files.writeString(this.file, (endsWithNewline ? "" : "\n") + line(key), StandardCharsets.UTF_8,
				StandardOpenOption.APPEND);
		List<KeyEncryptionKey> updated = new ArrayList<>(this.keys);
		updated.add(key);
		this.keys = List.copyOf(updated);
		return key;
	}

	/**
	 * Opens a text sealed by {@link KeyEncryptionKey#sealText}, with the key it names.
	 */
	public String openText(String sealed) throws IOException {
		int colon = sealed.indexOf(':');
		if (colon <= 0) {
			throw new IllegalArgumentException("not a sealed text: expected '<key-id>:<base64>'");
		}
		return require(sealed.substring(0, colon)).openText(sealed);
	}

	private static KeyEncryptionKey newKey(Clock clock, List<String> takenIds) {
		String date = ID_DATE.format(clock.instant());
		while (true) {
			byte[] suffix = new byte[2];
			RANDOM.nextBytes(suffix);
			String id = "k-" + date + "-" + HexFormat.of().formatHex(suffix);
			if (!takenIds.contains(id)) {
				byte[] keyBytes = new byte[KeyEncryptionKey.KEY_LENGTH];
				RANDOM.nextBytes(keyBytes);
				return new KeyEncryptionKey(id, keyBytes);
			}
		}
	}

	private static String line(KeyEncryptionKey key) {
		return key.id() + " " + Base64.getEncoder().encodeToString(key.encodedForKeyring()) + "\n";
	}

	@Override
	public String toString() {
		return "Keyring[" + this.file + ", keys=" + keyIds() + "]";
	}

}
