// `node --import tsx --import ./test/helpers/text-modules.mjs`: .sh files import as text.
import { register } from 'node:module';

register('./text-hooks.mjs', import.meta.url);
