package io.coffer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.coffer.archive.ArchiveContents;
import io.coffer.crypto.DecryptingInputStream;
import io.coffer.crypto.Keyring;
import io.coffer.crypto.UnknownKeyException;
import io.coffer.pipeline.rdb.InvalidRdbException;
import io.coffer.pipeline.rdb.RdbSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Opens a stored backup object with the keyring alone, without the service: the encrypted object
 * on stdin, the {@code .tar.gz} archive on stdout. The plaintext goes to a temporary file first
 * and reaches stdout only once the whole object authenticated, so a tampered or truncated object
 * writes nothing at all. With {@code --check}, the archive's {@code dump.rdb} is parsed whole
 * instead (every structure and the CRC-64, as a restore would) and a line says whether it is sound.
 */
@Command(name = "decrypt", description = "Decrypt a stored backup object (stdin) into its archive (stdout), offline;"
		+ " with --check, parse its dump.rdb and say whether it is a sound RDB instead.")
final class Decrypt implements Callable<Integer> {

	@ParentCommand
	CofferCli cli;

	@Option(names = "--keyring", required = true, paramLabel = "FILE", description = "the service's keyring file")
	Path keyringFile;

	@Option(names = "--check", description = "parse the archive's dump.rdb and report OK or what is wrong, "
			+ "instead of writing the archive")
	boolean check;

	@Override
	public Integer call() throws IOException {
		Keyring keyring = loadKeyring();
		Path plaintext = Files.createTempFile("coffer-decrypt-", ".tar.gz");
		try {
			try (InputStream decrypted = new DecryptingInputStream(this.cli.console.in(), keyring);
					OutputStream file = Files.newOutputStream(plaintext)) {
				decrypted.transferTo(file);
			}
			catch (UnknownKeyException ex) {
				throw new CliException("cannot decrypt: the object was encrypted with key " + ex.getKeyId()
						+ ", which is not in " + this.keyringFile + " (wrong keyring?)");
			}
			catch (IOException ex) {
				throw new CliException("cannot decrypt: " + ex.getMessage() + "; nothing was written");
			}
			if (this.check) {
				this.cli.console.out().println(checkDump(plaintext));
				return 0;
			}
			OutputStream out = this.cli.console.out();
			Files.copy(plaintext, out);
			out.flush();
		}
		finally {
			Files.deleteIfExists(plaintext);
		}
		return 0;
	}

	/** Parses the archive's first entry, which must be dump.rdb. @return the report of a sound dump */
	private static String checkDump(Path archive) {
		RdbSummary summary;
		try (ArchiveContents entries = openDump(archive)) {
			entries.copyDump(OutputStream.nullOutputStream(), 0);
			summary = entries.rdbSummary();
		}
		catch (InvalidRdbException ex) {
			throw new CliException("the archive's dump.rdb is not a sound RDB: " + ex.getMessage());
		}
		catch (IOException ex) {
			throw new CliException("cannot read the archive: " + ex.getMessage());
		}
		return String.format("OK: dump.rdb of %,d bytes, RDB version %d%s, keys %s, expiring keys %s",
				summary.length(), summary.rdbVersion(),
				(summary.redisVersion() != null) ? " (Redis " + summary.redisVersion() + ")" : "",
				summary.keysPerDb(), summary.expiringKeysPerDb());
	}

	/** The archive read up to the start of its dump, by the reader a restore uses. */
	private static ArchiveContents openDump(Path archive) throws IOException {
		InputStream file = Files.newInputStream(archive);
		try {
			return ArchiveContents.read(file);
		}
		catch (ArchiveContents.ArchiveCheckException ex) {
			file.close();
			throw new CliException("the archive's first entry is not dump.rdb");
		}
		catch (IOException | RuntimeException ex) {
			file.close();
			throw ex;
		}
	}

	private Keyring loadKeyring() {
		try {
			return Keyring.load(this.keyringFile);
		}
		catch (NoSuchFileException ex) {
			throw new CliException("no keyring at " + this.keyringFile);
		}
		catch (IOException ex) {
			throw new CliException("cannot read keyring " + this.keyringFile + ": " + ex.getMessage());
		}
	}

}
