import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { MessageCenterProvider, WsChatPanel } from 'lit-message-center/react';

const url = `ws://${location.host}/chat`;

function App() {
  const [last, setLast] = useState('nothing yet');
  const [shown, setShown] = useState(true);
  return (
    <MessageCenterProvider>
      <p>
        Last message: {last}{' '}
        <button onClick={() => setShown(!shown)}>{shown ? 'Unmount' : 'Mount'} the panels</button>
      </p>
      {shown && (
        <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: '1rem' }}>
          <WsChatPanel
            url={url}
            userName="Ada"
            strings={{ title: 'Ada (React)' }}
            onWsChatMessage={(event) => setLast(`${event.detail.from.name}: ${event.detail.text}`)}
          />
          <WsChatPanel url={url} userName="Bob" maxMessages={200} />
        </div>
      )}
    </MessageCenterProvider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
