package io.coffer.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class KeyringTests {

	private static final String KEY_A = Base64.getEncoder().encodeToString(new byte[32]);

	private static final String KEY_B = Base64.getEncoder().encodeToString(filled(32, 7));

	@TempDir
	Path dir;

	@Test
	void generateCreatesAnOwnerOnlyFileWithOneDatedKey() throws IOException {
		Path file = this.dir.resolve("keyring");
		Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);

		Keyring keyring = Keyring.generate(file, clock);

		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		assertThat(keyring.newest().id()).matches("k-20261126-[0-9a-f]{4}");
		Keyring reloaded = Keyring.load(file);
		assertThat(reloaded.keyIds()).containsExactly(keyring.newest().id());
		byte[] wrapped = keyring.newest().wrap(filled(32, 1));
		assertThat(reloaded.newest().unwrap(wrapped)).isEqualTo(filled(32, 1));
	}

	@Test
	void generateNeverOverwritesAKeyring() throws IOException {
		Path file = this.dir.resolve("keyring");
		Keyring.generate(file);
		String before = Files.readString(file);

		assertThatIOException().isThrownBy(() -> Keyring.generate(file));
		assertThat(Files.readString(file)).isEqualTo(before);
	}

	@Test
	void loadSkipsCommentsAndTakesTheLastKeyAsNewest() throws IOException {
		Path file = write("# keys\n\nold " + KEY_A + "\n  # rotated 2026-01\nnew " + KEY_B + "\n");

		Keyring keyring = Keyring.load(file);

		assertThat(keyring.keyIds()).containsExactly("old", "new");
		assertThat(keyring.newest().id()).isEqualTo("new");
		assertThat(keyring.find("old")).isPresent();
		assertThat(keyring.find("missing")).isEmpty();
	}

	@Test
	void loadNamesFileAndLineOfAMalformedLine() throws IOException {
		Path file = write("# keys\nold " + KEY_A + "\nnew\n");

		assertThatIOException().isThrownBy(() -> Keyring.load(file))
			.withMessageContaining(file.toString())
			.withMessageContaining("line 3")
			.withMessageContaining("expected '<key-id> <base64 key>'");
	}

	@Test
	void loadRejectsADuplicateId() throws IOException {
		Path file = write("same " + KEY_A + "\nsame " + KEY_B + "\n");

		assertThatIOException().isThrownBy(() -> Keyring.load(file))
			.withMessageContaining("line 2")
			.withMessageContaining("key id same appears twice (first on line 1)");
	}

	@Test
	void loadRejectsAKeyOfTheWrongLength() throws IOException {
		Path file = write("short " + Base64.getEncoder().encodeToString(new byte[16]) + "\n");

		assertThatIOException().isThrownBy(() -> Keyring.load(file))
			.withMessageContaining("line 1")
			.withMessageContaining("key short is 16 bytes long, a key-encryption key must be 32 bytes");
	}

	@Test
	void loadRejectsInvalidBase64AndAnEmptyKeyring() throws IOException {
		assertThatIOException().isThrownBy(() -> Keyring.load(write("k1 not*base64\n")))
			.withMessageContaining("line 1: key k1 is not valid base64");
		assertThatIOException().isThrownBy(() -> Keyring.load(write("# nothing yet\n")))
			.withMessageContaining("holds no key");
	}

	@Test
	void addNewKeyAppendsANewestKeyAndKeepsTheOldOnes() throws IOException {
		Path file = write("old " + KEY_A);
		Keyring keyring = Keyring.load(file);
		byte[] wrappedByOld = keyring.newest().wrap(filled(32, 3));

		KeyEncryptionKey added = keyring.addNewKey();

		assertThat(keyring.newest().id()).isEqualTo(added.id());
		Keyring reloaded = Keyring.load(file);
		assertThat(reloaded.keyIds()).containsExactly("old", added.id());
		assertThat(reloaded.find("old").orElseThrow().unwrap(wrappedByOld)).isEqualTo(filled(32, 3));
	}

	@Test
	void anotherInstanceSharingTheFileUsesTheRotatedKeyForItsNextObject() throws IOException {
		Path file = write("# ours\nold " + KEY_A + "\n");
		Keyring rotating = Keyring.load(file);
		Keyring other = Keyring.load(file);
		assertThat(other.newest().id()).isEqualTo("old");

		KeyEncryptionKey added = rotating.addNewKey();

		assertThat(other.newest().id()).isEqualTo(added.id());
		byte[] wrapped = added.wrap(filled(32, 5));
		assertThat(other.find(added.id()).orElseThrow().unwrap(wrapped)).isEqualTo(filled(32, 5));
		assertThat(other.keyIds()).containsExactly("old", added.id());
		// renamed into place: owner-only like the original, the comment kept, nothing left beside it
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		assertThat(Files.readString(file)).startsWith("# ours\nold " + KEY_A + "\n");
		try (var files = Files.list(this.dir)) {
			assertThat(files).containsExactly(file);
		}
	}

	@Test
	void aRetiredKeyLeavesTheFileAndEveryInstanceButTheNewestIsNeverRemoved() throws IOException {
		Path file = write("# keys\nold " + KEY_A + "\nnew " + KEY_B + "\n");
		Keyring retiring = Keyring.load(file);
		Keyring other = Keyring.load(file);

		assertThatIllegalArgumentException().isThrownBy(() -> retiring.removeKey("new"))
			.withMessageContaining("newest");
		assertThatExceptionOfType(UnknownKeyException.class).isThrownBy(() -> retiring.removeKey("absent"));
		retiring.removeKey("old");

		assertThat(other.keyIds()).containsExactly("new");
		assertThat(other.find("old")).isEmpty();
		assertThat(Files.readString(file)).isEqualTo("# keys\nnew " + KEY_B + "\n");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
	}

	@Test
	void aKeyringFileBrokenMeanwhileLeavesTheKeysAsTheyWere() throws IOException {
		Path file = write("old " + KEY_A + "\n");
		Keyring keyring = Keyring.load(file);

		Files.writeString(file, "old " + KEY_A + "\nhalf-written");

		assertThat(keyring.keyIds()).containsExactly("old");
		Files.writeString(file, "old " + KEY_A + "\nnew " + KEY_B + "\n");
		assertThat(keyring.newest().id()).isEqualTo("new");
	}

	@Test
	void sealedTextOpensWithTheKeyItNames() throws IOException {
		Keyring keyring = Keyring.load(write("old " + KEY_A + "\nnew " + KEY_B + "\n"));
		String sealed = keyring.find("old").orElseThrow().sealText("s3cret-pässword");

		assertThat(sealed).startsWith("old:").doesNotContain("s3cret");
		assertThat(keyring.openText(sealed)).isEqualTo("s3cret-pässword");
	}

	@Test
	void sealedTextWithAnUnknownOrTamperedKeyDoesNotOpen() throws IOException {
		Keyring keyring = Keyring.load(write("old " + KEY_A + "\n"));
		String sealed = keyring.newest().sealText("password");

		assertThatExceptionOfType(UnknownKeyException.class).isThrownBy(() -> keyring.openText("gone:" + sealed.substring(4)))
			.withMessage("object encrypted with key gone, which is not in the keyring");
		char[] chars = sealed.toCharArray();
		chars[10] = (chars[10] == 'A') ? 'B' : 'A';
		assertThatExceptionOfType(IntegrityException.class).isThrownBy(() -> keyring.openText(new String(chars)));
	}

	@Test
	void aWrappedKeyDoesNotUnwrapUnderAnotherIdOrAsText() throws IOException {
		Keyring keyring = Keyring.load(write("a " + KEY_A + "\nb " + KEY_A + "\n"));
		byte[] wrapped = keyring.find("a").orElseThrow().wrap(filled(32, 9));

		assertThatExceptionOfType(IntegrityException.class)
			.isThrownBy(() -> keyring.find("b").orElseThrow().unwrap(wrapped));
		String asText = "a:" + Base64.getEncoder().encodeToString(wrapped);
		assertThatExceptionOfType(IntegrityException.class).isThrownBy(() -> keyring.openText(asText));
	}

	@Test
	void toStringShowsNoKeyMaterial() throws IOException {
		Keyring keyring = Keyring.load(write("a " + KEY_B + "\n"));

		assertThat(List.of(keyring.toString(), keyring.newest().toString())).noneMatch((s) -> s.contains(KEY_B));
	}

	private Path write(String content) throws IOException {
		Path file = Files.createTempFile(this.dir, "keyring", ".txt");
		Files.writeString(file, content);
		return file;
	}

	private static byte[] filled(int length, int value) {
		byte[] bytes = new byte[length];
		java.util.Arrays.fill(bytes, (byte) value);
		return bytes;
	}

}
