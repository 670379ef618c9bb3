package io.coffer.restore;

import java.nio.charset.StandardCharsets;

/** Keys as a sentence shows them: quoted, bytes that are not printable ASCII escaped, cut after 100 bytes. */
final class KeyNames {

	private static final int SHOWN = 100;

	private KeyNames() {
	}

	static String show(byte[] key) {
		StringBuilder text = new StringBuilder("\"");
		for (int i = 0; i < Math.min(key.length, SHOWN); i++) {
			int b = key[i] & 0xff;
			if (b == '"' || b == '\\') {
				text.append('\\').append((char) b);
			}
			else if (b >= 0x20 && b < 0x7f) {
				text.append((char) b);
			}
			else {
				text.append(String.format("\\x%02x", b));
			}
		}
		if (key.length > SHOWN) {
			text.append("…");
		}
		return text.append('"').toString();
	}

	static String show(String key) {
		return show(key.getBytes(StandardCharsets.UTF_8));
	}

}
