import assert from 'node:assert/strict';
import {appendFileSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {LineSplitter, parseLogLine, parseLogText} from '../../../source/engine/log/format.js';
import {MigrationLogger} from '../../../source/engine/log/logger.js';
import {formatSuccessRate, logText} from '../../../source/engine/log/messages.js';
import {makeTempDir} from '../../helpers/temp.js';

const fixedClock = () => new Date(2025, 6, 6, 1, 0, 0);

describe('migration log', () => {
	it('writes logs/qwen3_migration_YYYYMMDD_HHMMSS.log in the guide\'s format and wording', () => {
		const logs = path.join(makeTempDir(), 'logs');
		const logger = new MigrationLogger(logs, fixedClock);
		logger.info(logText.migrationStart('paraphrase-multilingual-mpnet-base-v2', 'Qwen/Qwen3-Embedding-0.6B'));
		logger.info(logText.dimensionChange(768, 1024));
		logger.info(logText.progress(45.23));
		logger.error(logText.batchFailed(1000, 'CUDA out of memory'));
		logger.warning(logText.gpuOutOfMemory());
		logger.info(logText.complete(15_419, 15_420));
		logger.close();
		assert.equal(path.basename(logger.file), 'qwen3_migration_20250706_010000.log');
		assert.equal(
			readFileSync(logger.file, 'utf8'),
			[
				'2025-07-06 01:00:00 - INFO - 開始向量遷移: paraphrase-multilingual-mpnet-base-v2 -> Qwen/Qwen3-Embedding-0.6B',
				'2025-07-06 01:00:00 - INFO - 維度變化: 768 -> 1024',
				'2025-07-06 01:00:00 - INFO - 遷移進度: 45.2%',
				'2025-07-06 01:00:00 - ERROR - 批次遷移失敗 (offset=1000): CUDA out of memory',
				'2025-07-06 01:00:00 - WARNING - GPU 記憶體不足，切換到 CPU 模式',
				'2025-07-06 01:00:00 - INFO - 向量遷移完成: 成功 15419/15420, 成功率 99.99%',
				'',
			].join('\n'),
		);
	});

	it('keeps one entry per line even when a message has newlines', () => {
		const logger = new MigrationLogger(makeTempDir(), fixedClock);
		logger.error('first\nsecond');
		logger.close();
		const entries = parseLogText(readFileSync(logger.file, 'utf8'));
		assert.equal(entries.length, 1);
		assert.equal(entries[0]!.message, 'first ⏎ second');
	});

	it('never rounds a partial success up to 100.00%', () => {
		assert.equal(formatSuccessRate(99_999, 100_000), '99.99');
		assert.equal(formatSuccessRate(5, 5), '100.00');
		assert.equal(formatSuccessRate(0, 0), '100.00');
	});
});

describe('log parser', () => {
	it('reads time, level and message back', () => {
		assert.deepEqual(parseLogLine('2025-07-06 01:05:30 - INFO - 遷移進度: 50.0%'), {time: '2025-07-06 01:05:30', level: 'INFO', message: '遷移進度: 50.0%'});
		assert.equal(parseLogLine('2025-07-06 01:05:30,123 - WARN - x')?.level, 'WARNING');
		assert.equal(parseLogLine('Traceback (most recent call last):'), undefined);
	});

	it('leaves out a partial last line unless asked', () => {
		const text = '2025-07-06 01:00:00 - INFO - a\n2025-07-06 01:00:01 - ERROR - b\n2025-07-06 01:00:02 - INF';
		assert.deepEqual(parseLogText(text).map(entry => entry.message), ['a', 'b']);
		assert.equal(parseLogText(`${text}O - c`, {includePartial: true}).at(-1)?.message, 'c');
	});

	it('holds a partial line across chunks while a file is being followed', () => {
		const file = path.join(makeTempDir(), 'x.log');
		const splitter = new LineSplitter();
		appendFileSync(file, '2025-07-06 01:00:00 - INFO - one\n2025-07-06 01:00:01 - ERR');
		assert.deepEqual(splitter.push(readFileSync(file, 'utf8')), ['2025-07-06 01:00:00 - INFO - one']);
		assert.deepEqual(splitter.push('OR - two\n'), ['2025-07-06 01:00:01 - ERROR - two']);
	});
});
