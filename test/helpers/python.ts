/** Runs the reference reader: Debian's python3 with python3-faiss, as the bot loads indexes. */
import {spawnSync} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

/** The .py helpers stay in test/python (not compiled): .build/test/helpers → test/python. */
const pythonDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/python');

export type PythonChannelReport = {
	channel: string;
	ntotal: number;
	dimension: number;
	metric_l2: boolean;
	all_ids: string[];
	self_retrieval_misses: number;
	problems: string[];
};

export function checkIndexesWithPython(indicesDir: string): PythonChannelReport[] {
	const result = spawnSync('/usr/bin/python3', [path.join(pythonDir, 'check_indexes.py'), indicesDir], {encoding: 'utf8', maxBuffer: 512 * 1024 * 1024});
	if (result.status !== 0) {
		throw new Error(`python3 check_indexes.py failed (${result.status}): ${result.stderr}`);
	}

	return (JSON.parse(result.stdout) as {channels: PythonChannelReport[]}).channels;
}

/** Unpickles a file with Python and returns it as JSON (dict keys become strings). */
export function unpickleWithPython(file: string): unknown {
	const script = 'import json,pickle,sys; print(json.dumps(pickle.load(open(sys.argv[1],"rb")), default=str))';
	const result = spawnSync('/usr/bin/python3', ['-c', script, file], {encoding: 'utf8'});
	if (result.status !== 0) {
		throw new Error(`python3 pickle.load failed: ${result.stderr}`);
	}

	return JSON.parse(result.stdout) as unknown;
}

/** Pickles a JSON-described value with Python's own pickle (protocol 4 by default), to a file. */
export function pickleWithPython(file: string, pythonExpression: string, protocol = 4): void {
	const script = `import pickle,sys; pickle.dump(${pythonExpression}, open(sys.argv[1],"wb"), protocol=${protocol})`;
	const result = spawnSync('/usr/bin/python3', ['-c', script, file], {encoding: 'utf8'});
	if (result.status !== 0) {
		throw new Error(`python3 pickle.dump failed: ${result.stderr}`);
	}
}
