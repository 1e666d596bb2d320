"""A small Streamlit app for the gateway browser test.

It shows who the gateway says the user is (from the identity headers of the
WebSocket session, which Streamlit exposes as st.context.headers) and counts
button clicks, which only works while the app's WebSocket is connected.
"""

import streamlit as st

headers = st.context.headers
st.title("Moat gateway test app")
st.markdown(f"Signed in as: `{headers.get('X-Ms-Client-Principal-Name', '(no identity header)')}`")
st.markdown("Assertion: " + ("present" if headers.get("X-Moat-Gateway-Assertion") else "missing"))

if "clicks" not in st.session_state:
    st.session_state.clicks = 0
if st.button("Count"):
    st.session_state.clicks += 1
st.markdown(f"Clicks: {st.session_state.clicks}")
