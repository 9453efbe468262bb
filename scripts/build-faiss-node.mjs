#!/usr/bin/env node
// Makes faiss-node loadable: its prebuilt binary where one can be downloaded, else a node-gyp
// build of its own sources against the system's FAISS (Debian: libfaiss-dev).
//
// npm 11 blocks faiss-node's install script (package.json allowScripts), because that script
// git-clones FAISS and fails on machines without GitHub. This postinstall runs instead.
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import process from 'node:process';

const require = createRequire(import.meta.url);
const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function log(message) {
	console.log(`[faiss-node] ${message}`);
}

function findFaissNode() {
	try {
		return path.dirname(require.resolve('faiss-node/package.json', {paths: [projectRoot]}));
	} catch {
		return undefined;
	}
}

/** Loads faiss-node in a child process, so a crash in a broken binary cannot take this script down. */
function faissNodeLoads(faissDir) {
	const probe = `const f=require(${JSON.stringify(faissDir)});const i=new f.IndexFlatL2(2);i.add([1,0,0,1]);` +
		`const b=i.toBuffer();if(f.IndexFlatL2.fromBuffer(b).ntotal()!==2)process.exit(3);`;
	const result = spawnSync(process.execPath, ['-e', probe], {stdio: 'ignore', timeout: 60_000});
	return result.status === 0;
}

function tryPrebuilt(faissDir) {
	if (process.env.QWEN3_MIGRATE_FAISS_PREBUILT === 'skip') {
		return false;
	}

	let prebuildInstall;
	try {
		prebuildInstall = require.resolve('prebuild-install/bin.js', {paths: [faissDir, projectRoot]});
	} catch {
		return false;
	}

	log('trying the prebuilt binary (prebuild-install)...');
	const result = spawnSync(process.execPath, [prebuildInstall, '--runtime', 'napi'], {
		cwd: faissDir,
		stdio: 'ignore',
		timeout: 90_000,
	});
	return result.status === 0 && faissNodeLoads(faissDir);
}

// faiss 1.7.3 (Debian 12) has faiss::Index::idx_t but not faiss::idx_t, which faiss-node uses.
const compatHeader = `#pragma once
#include <faiss/Index.h>
#if FAISS_VERSION_MAJOR == 1 && (FAISS_VERSION_MINOR < 7 || (FAISS_VERSION_MINOR == 7 && FAISS_VERSION_PATCH < 4))
namespace faiss { using idx_t = Index::idx_t; }
#endif
`;

// -frtti: without it write_index segfaults in __dynamic_cast. Exceptions: FAISS throws.
const bindingGyp = {
	targets: [
		{
			target_name: 'faiss-node',
			sources: ['src/faiss.cc'],
			include_dirs: ['<!(node -p "require(\'node-addon-api\').include_dir")'],
			defines: ['NAPI_VERSION=6', 'NAPI_CPP_EXCEPTIONS'],
			'cflags!': ['-fno-exceptions'],
			'cflags_cc!': ['-fno-rtti', '-fno-exceptions'],
			cflags_cc: ['-std=c++17', '-frtti', '-fexceptions', '-fopenmp', '-include', '<(module_root_dir)/faiss-compat.h'],
			libraries: ['-lfaiss', '-lblas', '-llapack', '-fopenmp'],
		},
	],
};

function findNodeGyp() {
	const candidates = [
		process.env.npm_config_node_gyp,
		path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
		'/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
		'/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
	];
	return candidates.find(candidate => candidate && existsSync(candidate));
}

/** Node's own headers when they are installed beside it, so node-gyp need not download them. */
function localHeadersArgs() {
	if (process.env.npm_config_nodedir) {
		return [`--nodedir=${process.env.npm_config_nodedir}`];
	}

	const prefix = path.resolve(path.dirname(process.execPath), '..');
	return existsSync(path.join(prefix, 'include/node/common.gypi')) ? [`--nodedir=${prefix}`] : [];
}

function buildFromSource(faissDir) {
	if (!existsSync('/usr/include/faiss/IndexFlat.h')) {
		log('no system FAISS headers at /usr/include/faiss.');
		log('fix: apt-get install libfaiss-dev libblas-dev liblapack-dev (./setup.sh does this as root), then npm rebuild');
		return false;
	}

	const nodeGyp = findNodeGyp();
	if (!nodeGyp) {
		log('node-gyp not found (it ships with npm); fix: npm install -g node-gyp, then npm rebuild');
		return false;
	}

	writeFileSync(path.join(faissDir, 'faiss-compat.h'), compatHeader);
	writeFileSync(path.join(faissDir, 'binding.gyp'), JSON.stringify(bindingGyp, undefined, 2));
	mkdirSync(path.join(faissDir, 'build'), {recursive: true});
	log('building from source against the system libfaiss (about a minute)...');
	const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', ...localHeadersArgs()], {cwd: faissDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024});
	if (result.status !== 0) {
		// The compiler's own words, for the report; a successful build stays quiet.
		log(`node-gyp failed (exit ${result.status}):`);
		console.log(`${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').slice(-40).join('\n'));
		return false;
	}

	return faissNodeLoads(faissDir);
}

function main() {
	const faissDir = findFaissNode();
	if (!faissDir) {
		log('faiss-node is not installed; nothing to build.');
		return;
	}

	if (faissNodeLoads(faissDir)) {
		log('already built and working.');
		return;
	}

	if (tryPrebuilt(faissDir)) {
		log('prebuilt binary installed.');
		return;
	}

	if (buildFromSource(faissDir)) {
		log('built from source.');
		return;
	}

	log('FAILED: faiss-node could not be installed. Index building and verification will not work until this is fixed');
	log('(`qwen3-migrate check` reports it). Everything else is installed.');
	// setup.sh (and CI) want a complete install: there this is an error.
	if (process.env.QWEN3_MIGRATE_REQUIRE_FAISS === '1') {
		process.exitCode = 1;
	}
}

main();
