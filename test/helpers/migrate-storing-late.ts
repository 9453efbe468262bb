/**
 * A migration in a process of its own, for kill -9 tests after the switch: right after the
 * cut-over's log line it stores `caught-0` … as the old bot would, so the catch-up that follows
 * has messages to embed. Usage: node migrate-storing-late.js <workspace> <count>
 */
import {FaultInjector} from '../../source/engine/migration/faults.js';
import {Migration} from '../../source/engine/migration/migration.js';
import {openWorkspace} from '../../source/engine/workspace.js';
import {storeAsOldBot} from './workspace.js';

const [root, count] = process.argv.slice(2);
const migration = new Migration({workspace: openWorkspace(root!), faults: new FaultInjector([])});
migration.events.on('log:line', ({message}) => {
	if (message.startsWith('切換完成')) {
		storeAsOldBot(openWorkspace(root!).paths.database, 'caught', Number(count));
	}
});
await migration.run();
