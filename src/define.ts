// Registers every element of the package (skipping tags already defined).
export * from './index.js';
import './elements/message-center-provider/define.js';
import './elements/ws-chat-panel/define.js';
