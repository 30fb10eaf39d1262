/**
 * A small, conservative reader of one Bash tool command line, for the guard:
 * it splits compound commands (`;`, `&&`, `||`, `|`, `&`, newlines, `( )`)
 * into simple commands, unquotes their words, drops redirections (keeping
 * their targets apart) and skips here-document bodies exactly as bash does.
 * It never expands anything; instead it reports whether the line asks the
 * shell to run text as a command (`$( )`, backticks, `<( )`, `>( )`), which
 * the guard refuses because their result cannot be checked in advance.
 */

export interface SimpleCommand {
  /** The words, unquoted; `$VAR` stays literal. */
  argv: string[];
  /** Files written by `>`/`>>` redirections. */
  writes: string[];
}

export interface ParsedLine {
  commands: SimpleCommand[];
  /** Set when the line holds a command substitution or process substitution. */
  substitution: boolean;
}

const SEPARATORS = new Set([';', '&', '|', '\n', '(', ')']);

export function parseShell(line: string): ParsedLine {
  const commands: SimpleCommand[] = [];
  let substitution = false;
  let argv: string[] = [];
  let writes: string[] = [];
  let word = '';
  let inWord = false;
  /** What the next complete word is: a plain word, a redirect target, or a here-doc delimiter. */
  let pending: 'word' | 'write' | 'read' | 'heredoc' | 'heredoc-strip' = 'word';
  const heredocs: { delimiter: string; quoted: boolean; strip: boolean }[] = [];
  let wordQuoted = false;

  const endWord = () => {
    if (!inWord) return;
    if (pending === 'write') writes.push(word);
    else if (pending === 'heredoc' || pending === 'heredoc-strip')
      heredocs.push({ delimiter: word, quoted: wordQuoted, strip: pending === 'heredoc-strip' });
    else if (pending === 'word') argv.push(word);
    pending = 'word';
    word = '';
    inWord = false;
    wordQuoted = false;
  };
  const endCommand = () => {
    endWord();
    if (argv.length || writes.length) commands.push({ argv, writes });
    argv = [];
    writes = [];
  };

  let i = 0;
  const n = line.length;
  // Skips here-document bodies after a newline; unquoted bodies are expanded by bash, so look inside them.
  const skipHeredocs = () => {
    while (heredocs.length) {
      const doc = heredocs.shift()!;
      for (;;) {
        if (i >= n) return;
        const end = line.indexOf('\n', i);
        const raw = line.slice(i, end === -1 ? n : end);
        i = end === -1 ? n : end + 1;
        const text = doc.strip ? raw.replace(/^\t+/, '') : raw;
        if (text === doc.delimiter) break;
        if (!doc.quoted && /\$\(|`/.test(raw)) substitution = true;
      }
    }
  };

  while (i < n) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end === -1 ? n : end);
      inWord = true;
      wordQuoted = true;
      i = end === -1 ? n : end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      inWord = true;
      wordQuoted = true;
      while (i < n && line[i] !== '"') {
        const d = line[i]!;
        if (d === '\\' && i + 1 < n && '$`"\\\n'.includes(line[i + 1]!)) {
          if (line[i + 1] !== '\n') word += line[i + 1];
          i += 2;
          continue;
        }
        if (d === '`' || (d === '$' && line[i + 1] === '(')) substitution = true;
        word += d;
        i++;
      }
      i++;
      continue;
    }
    if (c === '\\') {
      if (line[i + 1] !== '\n') {
        word += line[i + 1] ?? '';
        inWord = true;
        wordQuoted = true;
      }
      i += 2;
      continue;
    }
    if (c === '`' || (c === '$' && line[i + 1] === '(') || ((c === '<' || c === '>') && line[i + 1] === '(')) {
      substitution = true;
      word += c;
      inWord = true;
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      const end = line.indexOf('\n', i);
      i = end === -1 ? n : end;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
      continue;
    }
    if (c === '<' || c === '>') {
      // A word of digits just before is a file descriptor number (2>&1), not an argument.
      if (inWord && !wordQuoted && /^\d+$/.test(word)) {
        word = '';
        inWord = false;
      }
      endWord();
      if (c === '<' && line.startsWith('<<<', i)) {
        pending = 'read';
        i += 3;
      } else if (c === '<' && line.startsWith('<<', i)) {
        pending = line[i + 2] === '-' ? 'heredoc-strip' : 'heredoc';
        i += pending === 'heredoc-strip' ? 3 : 2;
      } else if (c === '<') {
        pending = 'read';
        i += line[i + 1] === '&' || line[i + 1] === '>' ? 2 : 1;
      } else {
        i += line[i + 1] === '>' || line[i + 1] === '|' ? 2 : 1;
        // `>&2` duplicates a descriptor; `>&file` and `&>file` write a file.
        if (line[i] === '&') {
          i++;
          pending = /^\d|^-/.test(line.slice(i).trimStart()) ? 'read' : 'write';
        } else pending = 'write';
      }
      continue;
    }
    if (c === '&' && line[i + 1] === '>') {
      endWord();
      i += line[i + 2] === '>' ? 3 : 2;
      pending = 'write';
      continue;
    }
    if (SEPARATORS.has(c)) {
      endCommand();
      i++;
      if (c === '\n') skipHeredocs();
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  endCommand();
  return { commands, substitution };
}
