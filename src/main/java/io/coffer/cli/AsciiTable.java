package io.coffer.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A table drawn as the Scalingo CLI draws its own: {@code +---+} rules, upper-case headers
 * centered in their column, cells left-aligned with one space of padding.
 */
final class AsciiTable {

	private final List<String> headers;

	private final List<List<String>> rows = new ArrayList<>();

	AsciiTable(String... headers) {
		this.headers = List.of(headers);
	}

	AsciiTable row(String... cells) {
		if (cells.length != this.headers.size()) {
			throw new IllegalArgumentException(
					"expected " + this.headers.size() + " cells, got " + cells.length);
		}
		List<String> row = new ArrayList<>();
		for (String cell : cells) {
			row.add((cell != null) ? cell : "");
		}
		this.rows.add(row);
		return this;
	}

	String render() {
		int[] widths = new int[this.headers.size()];
		for (int column = 0; column < widths.length; column++) {
			widths[column] = this.headers.get(column).length();
			for (List<String> row : this.rows) {
				widths[column] = Math.max(widths[column], row.get(column).length());
			}
		}
		String rule = rule(widths);
		StringBuilder table = new StringBuilder();
		table.append(rule);
		table.append('|');
		for (int column = 0; column < widths.length; column++) {
			table.append(centered(this.headers.get(column).toUpperCase(Locale.ROOT), widths[column] + 2)).append('|');
		}
		table.append('\n').append(rule);
		for (List<String> row : this.rows) {
			table.append('|');
			for (int column = 0; column < widths.length; column++) {
				table.append(' ').append(leftAligned(row.get(column), widths[column])).append(" |");
			}
			table.append('\n');
		}
		if (!this.rows.isEmpty()) {
			table.append(rule);
		}
		return table.toString();
	}

	private static String rule(int[] widths) {
		StringBuilder rule = new StringBuilder("+");
		for (int width : widths) {
			rule.append("-".repeat(width + 2)).append('+');
		}
		return rule.append('\n').toString();
	}

	private static String centered(String text, int width) {
		int gap = width - text.length();
		int left = gap / 2;
		return " ".repeat(left) + text + " ".repeat(gap - left);
	}

	private static String leftAligned(String text, int width) {
		return text + " ".repeat(width - text.length());
	}

}
