/** Discord-style snowflake ids (64-bit, time-ordered), as the bot stores them: decimal strings. */

const discordEpoch = 1_420_070_400_000n;

export function snowflake(timestampMs: number, sequence: number): string {
	return (((BigInt(Math.floor(timestampMs)) - discordEpoch) << 22n) | BigInt(sequence & 0x3f_ff_ff)).toString();
}
