package io.coffer.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.coffer.crypto.DecryptingInputStream;
import io.coffer.crypto.Keyring;
import io.coffer.crypto.UnknownKeyException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * Opens a stored backup object with the keyring alone, without the service: the encrypted object
 * on stdin, the {@code .tar.gz} archive on stdout. The plaintext goes to a temporary file first
 * and reaches stdout only once the whole object authenticated, so a tampered or truncated object
 * writes nothing at all.
 */
@Command(name = "decrypt", description = "Decrypt a stored backup object (stdin) into its archive (stdout), offline.")
final class Decrypt implements Callable<Integer> {

	@ParentCommand
	CofferCli cli;

	@Option(names = "--keyring", required = true, paramLabel = "FILE", description = "the service's keyring file")
	Path keyringFile;

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
			OutputStream out = this.cli.console.out();
			Files.copy(plaintext, out);
			out.flush();
		}
		finally {
			Files.deleteIfExists(plaintext);
		}
		return 0;
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
