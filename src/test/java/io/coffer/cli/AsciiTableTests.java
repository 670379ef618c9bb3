package io.coffer.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AsciiTableTests {

	@Test
	void drawsTheBackupListingLikeThePlatform() {
		String table = new AsciiTable("ID", "Created At", "Size", "Status")
			.row("65710b0a99c3cd23d455edee", "Thu, 07 Dec 2023 01:00:10 UTC", "143 kB", "done")
			.row("656fb98b99c3cd23d455d4e7", "Wed, 06 Dec 2023 01:00:11 UTC", "143 kB", "done")
			.render();

		assertThat(table).isEqualTo("""
				+--------------------------+-------------------------------+--------+--------+
				|            ID            |          CREATED AT           |  SIZE  | STATUS |
				+--------------------------+-------------------------------+--------+--------+
				| 65710b0a99c3cd23d455edee | Thu, 07 Dec 2023 01:00:10 UTC | 143 kB | done   |
				| 656fb98b99c3cd23d455d4e7 | Wed, 06 Dec 2023 01:00:11 UTC | 143 kB | done   |
				+--------------------------+-------------------------------+--------+--------+
				""");
	}

	@Test
	void anOddGapPutsTheExtraSpaceRightOfTheHeader() {
		String table = new AsciiTable("Plan").row("redis-business-256").render();

		assertThat(table.lines().toList().get(1)).isEqualTo("|        PLAN        |");
	}

	@Test
	void anEmptyTableIsItsHeaderAlone() {
		assertThat(new AsciiTable("ID", "Status").render()).isEqualTo("""
				+----+--------+
				| ID | STATUS |
				+----+--------+
				""");
	}

	@Test
	void aMissingCellIsEmpty() {
		assertThat(new AsciiTable("A", "B").row("x", null).render()).contains("| x |   |");
	}

}
