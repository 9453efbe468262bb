/**
 * Realistic chat lines for demo workspaces and benchmarks: Traditional Chinese, English, emoji,
 * bot commands, a few long messages, a few blank ones, all from a seeded generator.
 */
import type {Random} from '../engine/util/random.js';

export const chinesePhrases = [
	'哈哈哈', '好喔', '真的假的', '今天天氣很好', '晚餐要吃什麼', '我覺得還可以', '這個機器人好可愛',
	'明天要上班', '有人要一起打遊戲嗎', '記得幫我預約餐廳', '謝謝你的幫忙', '我剛剛看到一隻貓',
	'這首歌超好聽', '你可以幫我翻譯嗎', '週末去爬山', '台北今天下雨', '作業寫完了沒', '笑死',
	'等一下再說', '我也這麼覺得', '晚安大家', '早安', '請問現在幾點', '幫我查一下明天的天氣',
	'這部電影很感人', '我們約七點見面', '記憶系統升級了嗎', '向量搜尋好快', '豬豬你好',
];

export const englishPhrases = [
	'ok', 'lol', 'thanks!', 'good morning everyone', 'anyone up for a game tonight?',
	'can you remind me about the meeting tomorrow', 'that song is stuck in my head', 'brb',
	'what time is it in Taipei', 'the bot is so cute', 'I just finished my homework', 'nice',
	'let me check and get back to you', 'did the memory upgrade finish?', 'see you at 7',
	'please summarize the last conversation', 'which restaurant did we pick last week',
	'the new embedding model should be better at Chinese', 'gg', 'haha same',
];

export const emojiPhrases = ['👍', '😂', '🎉🎉', '❤️', '🐷', '🤔', '😴 zzz', '🔥🔥🔥', '🙏'];

export const botCommands = ['/play 周杰倫 晴天', '/remind 10m 喝水', '/help', '/search 上次的餐廳', '/weather Taipei'];

const longParagraphs = [
	'我今天跟朋友去了一家新開的拉麵店，湯頭非常濃郁，叉燒也很軟嫩，不過排隊排了快一個小時。' +
		'下次如果要去的話可能要早一點出門，或者平日晚上去人應該會少一點。你們有推薦其他好吃的拉麵嗎？',
	'So here is the plan for the weekend: we meet at the station at nine, take the train to the mountain, ' +
		'hike for about three hours, have lunch at the little noodle place near the top, and come back before dark. ' +
		'Bring water, a jacket, and snacks. If it rains we will switch to the museum instead.',
	'關於記憶系統的升級：舊的模型是 paraphrase-multilingual-mpnet-base-v2，新的模型是 Qwen3-Embedding-0.6B，' +
		'維度從 768 變成 1024。升級期間機器人還是可以正常回答問題，只是搜尋會暫時使用舊的索引。',
];

export type ChatMessage = {content: string; contentProcessed: string | null};

/** One chat message; `blankRate` and `longRate` shape the mix (PigPig data has both). */
export function generateChatMessage(random: Random, options: {blankRate?: number; longRate?: number} = {}): ChatMessage {
	const {blankRate = 0.01, longRate = 0.03} = options;
	const roll = random.next();
	if (roll < blankRate) {
		return {content: random.pick(['', ' ', '   ', '\n', '\t ']), contentProcessed: null};
	}

	if (roll < blankRate + longRate) {
		const repeats = 1 + random.int(4);
		const text = Array.from({length: repeats}, () => random.pick(longParagraphs)).join('\n\n');
		return {content: text, contentProcessed: null};
	}

	const parts: string[] = [];
	const partCount = 1 + random.int(3);
	for (let index = 0; index < partCount; index++) {
		const kind = random.next();
		if (kind < 0.45) {
			parts.push(random.pick(chinesePhrases));
		} else if (kind < 0.8) {
			parts.push(random.pick(englishPhrases));
		} else if (kind < 0.95) {
			parts.push(random.pick(emojiPhrases));
		} else {
			parts.push(random.pick(botCommands));
		}
	}

	const content = parts.join(random.next() < 0.5 ? ' ' : '，');
	// The bot fills content_processed for some messages (mentions resolved, markup stripped).
	const contentProcessed = random.next() < 0.2 ? content.replaceAll(/[!?！？]/g, '').trim() || null : null;
	return {content, contentProcessed};
}

/** Every phrase the generator can produce, for building tokenizer vocabularies that cover it. */
export function corpusVocabularyText(): string[] {
	return [...chinesePhrases, ...englishPhrases, ...emojiPhrases, ...botCommands, ...longParagraphs];
}

export type CorpusKind = 'chat' | 'zipf' | 'uniform';

/** Zipf weights 1/rank^s over `count` items, as a cumulative table for sampling. */
function zipfTable(count: number, exponent = 1.1): number[] {
	const weights = Array.from({length: count}, (_value, rank) => 1 / (rank + 1) ** exponent);
	const total = weights.reduce((sum, weight) => sum + weight, 0);
	let running = 0;
	return weights.map(weight => (running += weight / total));
}

const shortPool = [...chinesePhrases, ...englishPhrases, ...emojiPhrases, ...botCommands];
const zipfCumulative = zipfTable(shortPool.length);

/**
 * A chat-like corpus for the batching benchmark: 80% short messages whose texts repeat with a
 * Zipf distribution ("ok", "哈哈" over and over), 20% long messages of 100–400 tokens, mixed
 * Chinese and English.
 */
export function generateZipfMessage(random: Random): ChatMessage {
	if (random.next() < 0.8) {
		const roll = random.next();
		return {content: shortPool[zipfCumulative.findIndex(bound => roll <= bound)] ?? shortPool[0]!, contentProcessed: null};
	}

	const parts = 4 + random.int(12);
	const text = Array.from({length: parts}, () => random.pick([...chinesePhrases, ...englishPhrases, ...longParagraphs.slice(0, 2)])).join('，');
	return {content: text, contentProcessed: null};
}

/** The control corpus: every text different, all about the same length, no repeats. */
export function generateUniformMessage(random: Random, index: number): ChatMessage {
	const words = Array.from({length: 6}, () => random.pick(englishPhrases.filter(phrase => phrase.length > 8)));
	return {content: `${words.join(' ')} #${index}`, contentProcessed: null};
}
