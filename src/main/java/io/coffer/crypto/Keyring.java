package io.coffer.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key-encryption keys, kept in a text file: one key per line,
 * {@code <key-id> <base64 of 32 random bytes>}, {@code #} starts a comment line, and the
 * last key is the newest (the one new backups use). Rotation appends a line; old keys stay
 * so that older backups can still be opened, until every object they wrap is re-wrapped and the key
 * is retired. The file is shared by the instances of a cluster and read again when it changes.
 */
public final class Keyring {

	private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

	private static final DateTimeFormatter ID_DATE = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

	private static final Logger log = LoggerFactory.getLogger(Keyring.class);

	private static final SecureRandom RANDOM = new SecureRandom();

	private final Path file;

	private final Clock clock;

	private volatile List<KeyEncryptionKey> keys;

	/** What the file was when {@link #keys} were read from it: another instance's rotation changes it. */
	private volatile FileVersion loadedVersion;

	private Keyring(Path file, List<KeyEncryptionKey> keys, FileVersion loadedVersion, Clock clock) {
		this.file = file;
		this.keys = List.copyOf(keys);
		this.loadedVersion = loadedVersion;
		this.clock = clock;
	}

	public static Keyring load(Path file) throws IOException {
		return load(file, Clock.systemUTC());
	}

	static Keyring load(Path file, Clock clock) throws IOException {
		FileVersion version = FileVersion.of(file);
		return new Keyring(file, parse(file, Files.readString(file, StandardCharsets.UTF_8)), version, clock);
	}

	private static List<KeyEncryptionKey> parse(Path file, String content) throws IOException {
		List<String> lines = content.lines().toList();
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
		return keys;
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
		return new Keyring(file, List.of(key), FileVersion.of(file), clock);
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
		List<KeyEncryptionKey> current = current();
		return current.get(current.size() - 1);
	}

	public Optional<KeyEncryptionKey> find(String id) {
		return current().stream().filter((key) -> key.id().equals(id)).findFirst();
	}

	KeyEncryptionKey require(String id) throws UnknownKeyException {
		return find(id).orElseThrow(() -> new UnknownKeyException(id));
	}

	/** The ids of the keys, oldest first: the last is the one new objects use. */
	public List<String> keyIds() {
		return current().stream().map(KeyEncryptionKey::id).toList();
	}

	/**
	 * The keys as the file holds them now. Every instance of a cluster shares the file, and one of them
	 * rotates: a look at the file's identity, date and size (one {@code stat}) tells whether it changed
	 * since it was read, and only then is it read again. A file that cannot be read or parsed right now
	 * (being restored, edited by hand) leaves the keys as they were, and is tried again next time.
	 */
	private List<KeyEncryptionKey> current() {
		FileVersion seen;
		try {
			seen = FileVersion.of(this.file);
		}
		catch (IOException ex) {
			return this.keys;
		}
		if (!seen.equals(this.loadedVersion)) {
			synchronized (this) {
				if (!seen.equals(this.loadedVersion)) {
					try {
						this.keys = List.copyOf(parse(this.file, Files.readString(this.file, StandardCharsets.UTF_8)));
						this.loadedVersion = seen;
						log.info("Keyring {} changed: keys {}", this.file, keyIdsOf(this.keys));
					}
					catch (IOException ex) {
						log.warn("Keyring {} changed but cannot be read ({}); keeping keys {}", this.file,
								ex.getMessage(), keyIdsOf(this.keys));
					}
				}
			}
		}
		return this.keys;
	}

	private static List<String> keyIdsOf(List<KeyEncryptionKey> keys) {
		return keys.stream().map(KeyEncryptionKey::id).toList();
	}

	/**
	 * Rotation: adds a fresh key to the file; it becomes the newest, on every instance that shares the
	 * file from its next look at it. The file is rewritten whole and renamed into place, so that a reader
	 * sees the old keyring or the new one, never half of one.
	 */
	public synchronized KeyEncryptionKey addNewKey() throws IOException {
		String content = Files.readString(this.file, StandardCharsets.UTF_8);
		List<KeyEncryptionKey> existing = parse(this.file, content);
		KeyEncryptionKey key = newKey(this.clock, keyIdsOf(existing));
		boolean endsWithNewline = content.isEmpty() || content.endsWith("\n");
		replaceFile(content + (endsWithNewline ? "" : "\n") + line(key));
		return key;
	}

	/**
	 * Removes a key from the file (the lines that are not its key stay as they are). Whether nothing still
	 * needs it is the caller's to know; the newest key is never removed, since new objects use it.
	 * @throws UnknownKeyException when the keyring holds no key of that id
	 */
	public synchronized void removeKey(String id) throws IOException {
		String content = Files.readString(this.file, StandardCharsets.UTF_8);
		List<KeyEncryptionKey> existing = parse(this.file, content);
		if (existing.stream().noneMatch((key) -> key.id().equals(id))) {
			throw new UnknownKeyException(id);
		}
		if (existing.get(existing.size() - 1).id().equals(id)) {
			throw new IllegalArgumentException("key " + id + " is the newest key, the one new backups use: "
					+ "rotate first, re-wrap, then retire it");
		}
		StringBuilder kept = new StringBuilder();
		for (String line : content.lines().toList()) {
			String[] fields = line.strip().split("\\s+");
			if (!(fields.length == 2 && fields[0].equals(id))) {
				kept.append(line).append('\n');
			}
		}
		replaceFile(kept.toString());
	}

	/** Writes the new content beside the file, readable by its owner only, then renames it over the file. */
	private void replaceFile(String content) throws IOException {
		List<KeyEncryptionKey> parsed = parse(this.file, content);
		Path folder = this.file.toAbsolutePath().getParent();
		Path next = folder.resolve("." + this.file.getFileName() + "." + HexFormat.of().formatHex(randomBytes(4)) + ".tmp");
		try {
			createOwnerOnly(next);
			try (FileChannel channel = FileChannel.open(next, StandardOpenOption.WRITE)) {
				channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
				channel.force(true);
			}
			Files.move(next, this.file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
		}
		finally {
			Files.deleteIfExists(next);
		}
		this.keys = List.copyOf(parsed);
		this.loadedVersion = FileVersion.of(this.file);
	}

	private static byte[] randomBytes(int length) {
		byte[] bytes = new byte[length];
		RANDOM.nextBytes(bytes);
		return bytes;
	}

	/** The identity (inode), date and size of the file: a rename over it or a write changes them. */
	private record FileVersion(Object fileKey, FileTime modified, long size) {

		static FileVersion of(Path file) throws IOException {
			BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
			return new FileVersion(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
		}

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
