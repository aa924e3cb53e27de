// Encrypts a .docx with officecrypto-tool (npm, 0.0.19):
//   node encrypt.js IN OUT PASSWORD agile|standard
const fs = require('fs');
const officeCrypto = require('officecrypto-tool');
const [,, input, output, password, type] = process.argv;
const opts = {password};
if (type === 'standard') opts.type = 'standard';
fs.writeFileSync(output, officeCrypto.encrypt(fs.readFileSync(input), opts));
