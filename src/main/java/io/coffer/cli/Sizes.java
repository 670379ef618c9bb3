package io.coffer.cli;

import java.util.Locale;

/** Byte counts written for people, in the two styles the Scalingo CLI uses. */
final class Sizes {

	private static final String[] DECIMAL_UNITS = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };

	private static final String[] BINARY_UNITS = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

	private Sizes() {
	}

	/**
	 * Powers of 1000, as in backup listings: {@code 999 B}, {@code 1.5 kB}, {@code 143 kB}. One
	 * decimal below ten, none above (the rule of go-humanize, which the listings come from).
	 */
	static String decimal(long bytes) {
		if (bytes < 10) {
			return bytes + " B";
		}
		int exponent = (int) Math.floor(Math.log(bytes) / Math.log(1000));
		exponent = Math.min(exponent, DECIMAL_UNITS.length - 1);
		double value = Math.floor(bytes / Math.pow(1000, exponent) * 10 + 0.5) / 10;
		String format = (value < 10) ? "%.1f %s" : "%.0f %s";
		return String.format(Locale.ROOT, format, value, DECIMAL_UNITS[exponent]);
	}

	/** Powers of 1024 with two decimals, as in the download progress: {@code 139.37 KiB}. */
	static String binary(long bytes) {
		if (bytes < 1024) {
			return bytes + " B";
		}
		int exponent = 0;
		double value = bytes;
		while (value >= 1024 && exponent < BINARY_UNITS.length - 1) {
			value /= 1024;
			exponent++;
		}
		return String.format(Locale.ROOT, "%.2f %s", value, BINARY_UNITS[exponent]);
	}

}
