import { nothing, type ElementPart } from 'lit';
import { Directive, directive, PartType, type PartInfo } from 'lit/directive.js';
import type { ChatMessage } from '../client/types.js';
import type { ReadTrackerController } from './read-tracker-controller.js';

/**
 * Hands a message's element to the read tracker each time the message
 * renders. A plain directive, not `ref`: `ref` brings Lit's async-directive
 * machinery into the bundle, and the tracker needs no disconnection news
 * (an element that leaves the document stops intersecting).
 */
class ReadWatch extends Directive {
  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new TypeError('readWatch goes on an element');
  }

  render(_tracker: ReadTrackerController, _message: ChatMessage) {
    return nothing;
  }

  override update(part: ElementPart, [tracker, message]: [ReadTrackerController, ChatMessage]) {
    tracker.watch(part.element, message);
    return nothing;
  }
}

export const readWatch = directive(ReadWatch);
