// Preloaded with `node --require`: at exit, write the built-in modules this process loaded
// to $MODULES_OUT, so a test can tell that --help never loaded the network stack.
const fs = require('node:fs');
process.on('exit', () => {
  fs.writeFileSync(process.env.MODULES_OUT, process.moduleLoadList.join('\n'));
});
