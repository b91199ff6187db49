'use strict';
// Preloaded into the worker threads of a production process: the inspector stays shut there
// too (§7.2).
require('./guard').closeInspectorDoors();
